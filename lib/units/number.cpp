#include "lib/units/number.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace cairn {

Result<std::pair<double, std::string_view>> split_number(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  if (i == 0) return Error("does not start with a number");
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, value);
  if (ec != std::errc() || end != text.data() + i || !std::isfinite(value)) {
    return Error("'" + std::string(text.substr(0, i)) + "' is not a number");
  }
  std::string_view unit = text.substr(i);
  if (unit.empty()) return Error("missing unit");
  for (char c : unit) {
    if (!std::isalpha(static_cast<unsigned char>(c))) {
      return Error("unexpected character '" + std::string(1, c) + "'");
    }
  }
  return std::make_pair(value, unit);
}

std::string format_number(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", value);
  return buf;
}

}  // namespace cairn
