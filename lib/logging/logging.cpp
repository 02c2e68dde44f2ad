// Builds one spdlog logger with up to two sinks (console and file) and makes
// it the active logger of log.hpp and spdlog's default logger, so that any
// library logging through spdlog directly lands in the same place.
#include "lib/logging/logging.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "lib/logging/active_logger.hpp"

namespace cairn {
namespace {

// spdlog's own cap on rotated files.
constexpr size_t kMaxRotatedFiles = 200000;

Status check(const LoggingOptions& options) {
  if (options.program.empty() || options.program.find('/') != std::string::npos) {
    return Error("invalid logging program name '" + options.program +
                 "': expected a non-empty name without '/' (it names the log file)");
  }
  if (options.log_dir && options.log_dir->empty()) {
    return Error("invalid --log_dir '': expected a directory path");
  }
  if (options.max_file_size.bytes() == 0) {
    return Error("invalid log file size 0B: expected a size greater than zero, e.g. 100MB");
  }
  if (options.max_files > kMaxRotatedFiles) {
    return Error("invalid log file count " + std::to_string(options.max_files) +
                 ": expected at most " + std::to_string(kMaxRotatedFiles));
  }
  return ok_status();
}

}  // namespace

Status init_logging(const LoggingOptions& options) {
  if (Status st = check(options); !st.ok()) return st;

  std::vector<spdlog::sink_ptr> sinks;
  ConsoleOutput console = options.console;
  if (console == ConsoleOutput::kAuto) console = detect_console_output();
  if (console == ConsoleOutput::kStderr) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_pattern(logging_internal::kGlogPattern);
    sinks.push_back(std::move(sink));
  } else if (console == ConsoleOutput::kJournald) {
    // journald records time, pid and priority itself: send the bare message.
    sinks.push_back(std::make_shared<spdlog::sinks::systemd_sink_mt>(options.program, false));
  }

  if (options.log_dir) {
    const std::filesystem::path dir(*options.log_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error("cannot create --log_dir '" + *options.log_dir + "': " + ec.message());
    }
    const std::string file = (dir / (options.program + ".log")).string();
    try {
      auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          file, options.max_file_size.bytes(), options.max_files);
      sink->set_pattern(logging_internal::kGlogPattern);
      sinks.push_back(std::move(sink));
    } catch (const spdlog::spdlog_ex& e) {
      return Error("cannot open log file '" + file + "': " + e.what());
    }
  }

  auto logger = std::make_shared<spdlog::logger>(options.program, sinks.begin(), sinks.end());
  logger->flush_on(spdlog::level::trace);
  logging_internal::install_logger(logger, options.level);
  spdlog::set_default_logger(std::move(logger));
  return ok_status();
}

void flush_logging() {
  logging_internal::active_logger()->flush();
}

}  // namespace cairn
