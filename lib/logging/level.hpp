// Log levels, named the way Mesos (glog) names them.
//
// --logging_level takes INFO, WARNING or ERROR as in Mesos, plus DEBUG and
// TRACE for development; names are case-insensitive ("warning" works) and
// WARN is accepted for WARNING.
#pragma once

#include <string_view>

#include "lib/base/result.hpp"

namespace cairn {

enum class LogLevel { kTrace, kDebug, kInfo, kWarning, kError };

// The error names the valid levels and suggests the closest one.
Result<LogLevel> parse_log_level(std::string_view text);

// "TRACE", "DEBUG", "INFO", "WARNING", "ERROR".
std::string_view log_level_name(LogLevel level);

}  // namespace cairn
