// The logging flags every Cairn daemon takes, as in Mesos: --log_dir,
// --logging_level, --quiet, plus the size and count of rotated log files.
//
//   struct MasterFlags : LoggingFlags { uint16_t port = 5050; ... };
//   FlagSet<MasterFlags> set("cairn-master");
//   add_logging_flags(set);
//   ...
//   init_logging(logging_options(parsed->flags, "cairn-master"));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/flags/flag_set.hpp"
#include "lib/flags/validators.hpp"
#include "lib/logging/level.hpp"
#include "lib/logging/logging.hpp"

namespace cairn {

struct LoggingFlags {
  std::optional<std::string> log_dir;
  LogLevel logging_level = LogLevel::kInfo;
  bool quiet = false;
  Bytes log_max_size = Bytes(100 * Bytes::MB);
  uint32_t log_max_files = 10;
};

inline flags::FlagCodec<LogLevel> log_level_codec() {
  return {"LEVEL", parse_log_level, [](LogLevel l) { return std::string(log_level_name(l)); }};
}

template <typename F>
void add_logging_flags(flags::FlagSet<F>& set) {
  static_assert(std::is_base_of_v<LoggingFlags, F>, "the flags struct must derive LoggingFlags");
  set.add(&LoggingFlags::log_dir, "log_dir",
          "Directory for log files (<program>.log, rotated). Nothing is written to disk "
          "unless set; does not affect logging to stderr or journald.");
  set.add_custom(&LoggingFlags::logging_level, "logging_level",
                 "Log messages at or above this level: INFO, WARNING or ERROR (DEBUG and TRACE "
                 "for development).",
                 log_level_codec());
  set.add(&LoggingFlags::quiet, "quiet", "Do not log to stderr or journald, only to --log_dir.");
  set.add(&LoggingFlags::log_max_size, "log_max_size", "Size at which the log file is rotated.")
      .validate(flags::positive);
  set.add(&LoggingFlags::log_max_files, "log_max_files", "Rotated log files to keep.");
}

inline LoggingOptions logging_options(const LoggingFlags& flags, std::string program) {
  LoggingOptions options;
  options.program = std::move(program);
  options.level = flags.logging_level;
  options.log_dir = flags.log_dir;
  options.max_file_size = flags.log_max_size;
  options.max_files = flags.log_max_files;
  options.console = flags.quiet ? ConsoleOutput::kNone : ConsoleOutput::kAuto;
  return options;
}

}  // namespace cairn
