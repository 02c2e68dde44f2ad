// Shared by Duration and Bytes: split "1.5hrs" into 1.5 and "hrs", and print
// a double without trailing zeros. Internal to lib/units.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "lib/base/result.hpp"

namespace cairn {

// A non-negative finite decimal number immediately followed by a non-empty
// unit made of letters.
Result<std::pair<double, std::string_view>> split_number(std::string_view text);

// Up to 9 significant digits, no trailing zeros: 1.5, 10, 0.001.
std::string format_number(double value);

}  // namespace cairn
