// Small lexical helpers shared by the Mesos text syntaxes of lib/resources.
//
// Resources (`cpus(prod):8;ports:[1-2]`) and attributes (`rack:r1`) are both
// `;`-separated `key:value` lists whose values may be `[ranges]` or `{sets}`.
// These helpers trim and split such text and check that names and items are
// printable so that every parsed value prints back to text that parses to the
// same value. Internal to lib/resources.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::resources_text {

bool is_space(char c);

// Removes leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

// Removes every ASCII whitespace character (Mesos strips spaces inside values).
std::string strip_whitespace(std::string_view text);

// Splits on `separator`, keeping empty pieces.
std::vector<std::string_view> split(std::string_view text, char separator);

bool is_valid_utf8(std::string_view text);

// Why `word` cannot be a name or set item: empty, invalid UTF-8, whitespace or
// control characters, or one of `forbidden`. Nothing when it is fine.
std::optional<std::string> word_problem(std::string_view word, std::string_view forbidden);

// `'text'` with non-printable bytes escaped, for error messages.
std::string quote(std::string_view text);

}  // namespace cairn::resources_text
