// Where console logging goes: stderr in the foreground, journald under
// systemd, so that a daemon run by systemd does not log every line twice.
//
// systemd sets JOURNAL_STREAM="<device>:<inode>" when it connects a
// service's stderr to the journal, and INVOCATION_ID for every unit it
// starts. As sd_journal_print(3) recommends, JOURNAL_STREAM counts only if
// it still names our stderr: a child whose stderr was redirected (an
// executor writing to its sandbox) inherits the variable but must keep
// writing to stderr.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cairn {

enum class ConsoleOutput {
  kAuto,  // kJournald under systemd, else kStderr (decided by detect_console_output)
  kStderr,
  kJournald,
  kNone,  // files only (Mesos' --quiet)
};

struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

// The decision, from the values of JOURNAL_STREAM and INVOCATION_ID (nullopt
// when unset) and the identity of file descriptor 2 (nullopt when closed).
// Returns kJournald or kStderr.
ConsoleOutput detect_console_output(std::optional<std::string_view> journal_stream,
                                    std::optional<std::string_view> invocation_id,
                                    std::optional<FileIdentity> stderr_identity);

// The same, for this process.
ConsoleOutput detect_console_output();

}  // namespace cairn
