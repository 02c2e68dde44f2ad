// Internal to lib/logging: the spdlog logger that log::write() sends to, and
// the level log::enabled() checks. init_logging() replaces both; log.cpp owns
// them. Only the two .cpp files of this module include this header.
#pragma once

#include <memory>

#include "lib/logging/level.hpp"

namespace spdlog {
class logger;
}

namespace cairn::logging_internal {

// glog's line layout: "I0312 14:03:27.123456 4242 master.cpp:88] message".
inline constexpr const char* kGlogPattern = "%L%m%d %H:%M:%S.%f %t %s:%#] %v";

void install_logger(std::shared_ptr<spdlog::logger> logger, LogLevel level);
std::shared_ptr<spdlog::logger> active_logger();

}  // namespace cairn::logging_internal
