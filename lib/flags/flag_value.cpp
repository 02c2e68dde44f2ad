#include "lib/flags/flag_value.hpp"

#include <array>
#include <cctype>
#include <cmath>

#include "lib/base/ascii.hpp"

namespace cairn::flags {

Result<std::string> parse_string(std::string_view text) {
  return std::string(text);
}

Result<bool> parse_bool(std::string_view text) {
  // stout accepts "true"/"false" and "1"/"0"; environment files often use either.
  if (ascii_iequals(text, "true") || text == "1") return true;
  if (ascii_iequals(text, "false") || text == "0") return false;
  return Error("invalid boolean '" + std::string(text) + "': expected true or false");
}

Result<double> parse_double(std::string_view text) {
  double value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (first != last && *first == '+') ++first;
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last || !std::isfinite(value)) {
    return Error("invalid number '" + std::string(text) + "': expected a finite decimal number");
  }
  return value;
}

std::string format_bool(bool value) {
  return value ? "true" : "false";
}

std::string format_double(double value) {
  // Shortest text that reads back as the same double: 0.5, 10, 1e-09.
  std::array<char, 64> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return std::to_string(value);
  return std::string(buffer.data(), end);
}

}  // namespace cairn::flags
