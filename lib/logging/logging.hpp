// Logging setup, called once by every daemon and tool at startup.
//
//   LoggingOptions options;
//   options.program = "cairn-master";
//   options.level = LogLevel::kInfo;
//   options.log_dir = "/var/log/cairn";
//   if (Status st = init_logging(options); !st.ok()) { ... }
//
// Messages go to the console (stderr in the foreground, journald under
// systemd; see systemd_detection.hpp) and, with log_dir, to the rotating file
// <log_dir>/<program>.log (older files <program>.1.log, <program>.2.log, ...).
// Console and file lines read like glog's:
//   I0312 14:03:27.123456 4242 master.cpp:88] Elected as the leading master
// journald gets the bare message with its priority and CODE_FILE/CODE_LINE.
// Write messages with log.hpp. Call init_logging() before starting threads
// that log; calling it again replaces the previous setup.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/logging/level.hpp"
#include "lib/logging/systemd_detection.hpp"
#include "lib/units/bytes.hpp"

namespace cairn {

struct LoggingOptions {
  std::string program = "cairn";  // log file name and journald SYSLOG_IDENTIFIER
  LogLevel level = LogLevel::kInfo;
  std::optional<std::string> log_dir;  // created if missing; no file when unset
  Bytes max_file_size = Bytes(100 * Bytes::MB);
  size_t max_files = 10;  // rotated files kept besides the current one
  ConsoleOutput console = ConsoleOutput::kAuto;
};

// Errors name the option that is wrong (an unwritable log_dir, a zero file
// size) and leave the previous logging setup in place.
Status init_logging(const LoggingOptions& options);

// Writes buffered messages out (files are also flushed after every message,
// as Mesos' --logbufsecs=0 does, so that a crash loses nothing).
void flush_logging();

}  // namespace cairn
