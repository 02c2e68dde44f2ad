// The --help text of a FlagSet: one entry per flag with its type, default and
// help, help wrapped to the terminal's customary 80 columns.
//
// FlagTable::usage() (defined in usage.cpp) lays the text out; wrap_text() is
// the word wrapper it uses, exposed for tests and for CLI commands that print
// their own paragraphs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::flags {

inline constexpr size_t kUsageWidth = 80;

// Splits `text` into lines of at most `width` characters at spaces; '\n'
// starts a new paragraph. A word longer than `width` gets a line of its own.
std::vector<std::string> wrap_text(std::string_view text, size_t width);

}  // namespace cairn::flags
