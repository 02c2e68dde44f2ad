// UTF-8 validity, as the spec loader and error messages need it.
//
// A cluster spec must be UTF-8 (YAML allows UTF-16 and UTF-32 too, but no
// editor writes those by accident and a clear error beats mojibake), and
// values echoed in error messages must not break a terminal.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace cairn::spec {

// Length (2..4) of the well-formed UTF-8 sequence starting at text[i], or 0
// for an ASCII byte, a stray continuation byte, an overlong form, a UTF-16
// surrogate, a code point above U+10FFFF or a truncated sequence.
size_t utf8_sequence_length(std::string_view text, size_t i);

// Offset of the first byte that is not part of well-formed UTF-8.
std::optional<size_t> first_invalid_utf8(std::string_view text);

}  // namespace cairn::spec
