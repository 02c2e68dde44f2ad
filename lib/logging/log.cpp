// The active logger is an atomic shared_ptr so that a worker thread logging
// while init_logging() swaps the logger keeps the old one alive until its
// call returns; the level is a separate atomic so that enabled() is a single
// relaxed load.
#include "lib/logging/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "lib/logging/active_logger.hpp"

namespace cairn {
namespace logging_internal {
namespace {

std::shared_ptr<spdlog::logger> make_startup_logger() {
  auto logger =
      std::make_shared<spdlog::logger>("cairn", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern(kGlogPattern);
  logger->set_level(spdlog::level::info);
  return logger;
}

std::atomic<std::shared_ptr<spdlog::logger>>& logger_slot() {
  static std::atomic<std::shared_ptr<spdlog::logger>> slot{make_startup_logger()};
  return slot;
}

std::atomic<LogLevel> g_level{LogLevel::kInfo};

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

void install_logger(std::shared_ptr<spdlog::logger> logger, LogLevel level) {
  logger->set_level(to_spdlog(level));
  logger_slot().store(std::move(logger));
  g_level.store(level, std::memory_order_relaxed);
}

std::shared_ptr<spdlog::logger> active_logger() {
  return logger_slot().load();
}

}  // namespace logging_internal

namespace log {

bool enabled(LogLevel level) {
  return level >= logging_internal::g_level.load(std::memory_order_relaxed);
}

void write(LogLevel level, const SourceLocation& where, std::string_view message) {
  const std::shared_ptr<spdlog::logger> logger = logging_internal::active_logger();
  logger->log(spdlog::source_loc{where.file, where.line, where.function},
              logging_internal::to_spdlog(level), message);
}

}  // namespace log
}  // namespace cairn
