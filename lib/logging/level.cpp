#include "lib/logging/level.hpp"

#include <array>
#include <cctype>
#include <string>

#include "lib/base/suggest.hpp"

namespace cairn {
namespace {

struct NamedLevel {
  std::string_view name;
  LogLevel level;
};

constexpr std::array<NamedLevel, 5> kLevels{{
    {"TRACE", LogLevel::kTrace},
    {"DEBUG", LogLevel::kDebug},
    {"INFO", LogLevel::kInfo},
    {"WARNING", LogLevel::kWarning},
    {"ERROR", LogLevel::kError},
}};

}  // namespace

Result<LogLevel> parse_log_level(std::string_view text) {
  std::string upper;
  for (char c : text)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "WARN") return LogLevel::kWarning;  // spdlog's and log4j's spelling
  for (const NamedLevel& l : kLevels) {
    if (l.name == upper) return l.level;
  }
  std::string message = "invalid logging level '" + std::string(text) +
                        "': expected one of INFO, WARNING, ERROR (or DEBUG, TRACE for "
                        "development)";
  std::array<std::string_view, kLevels.size()> names{};
  for (size_t i = 0; i < kLevels.size(); ++i)
    names[i] = kLevels[i].name;
  if (auto match = closest_match(upper, std::span<const std::string_view>(names))) {
    message += "; did you mean " + *match + "?";
  }
  return Error(message);
}

std::string_view log_level_name(LogLevel level) {
  for (const NamedLevel& l : kLevels) {
    if (l.level == level) return l.name;
  }
  return "INFO";
}

}  // namespace cairn
