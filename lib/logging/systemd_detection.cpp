#include "lib/logging/systemd_detection.hpp"

#include <sys/stat.h>

#include <charconv>
#include <cstdlib>

namespace cairn {
namespace {

std::optional<FileIdentity> parse_journal_stream(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  FileIdentity id;
  const std::string_view device = text.substr(0, colon);
  const std::string_view inode = text.substr(colon + 1);
  auto [d_end, d_ec] = std::from_chars(device.data(), device.data() + device.size(), id.device);
  auto [i_end, i_ec] = std::from_chars(inode.data(), inode.data() + inode.size(), id.inode);
  if (d_ec != std::errc() || d_end != device.data() + device.size() || i_ec != std::errc() ||
      i_end != inode.data() + inode.size()) {
    return std::nullopt;
  }
  return id;
}

std::optional<std::string_view> environment_value(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string_view(value);
}

}  // namespace

ConsoleOutput detect_console_output(std::optional<std::string_view> journal_stream,
                                    std::optional<std::string_view> invocation_id,
                                    std::optional<FileIdentity> stderr_identity) {
  if (journal_stream) {
    const std::optional<FileIdentity> journal = parse_journal_stream(*journal_stream);
    const bool stderr_is_journal = journal && stderr_identity && *journal == *stderr_identity;
    return stderr_is_journal ? ConsoleOutput::kJournald : ConsoleOutput::kStderr;
  }
  // A unit whose stderr goes elsewhere (StandardError=null, file:...) has no
  // JOURNAL_STREAM; it still runs under systemd and the journal is its log.
  return invocation_id ? ConsoleOutput::kJournald : ConsoleOutput::kStderr;
}

ConsoleOutput detect_console_output() {
  std::optional<FileIdentity> stderr_identity;
  struct stat info {};
  if (::fstat(2, &info) == 0) {
    stderr_identity =
        FileIdentity{static_cast<uint64_t>(info.st_dev), static_cast<uint64_t>(info.st_ino)};
  }
  return detect_console_output(environment_value("JOURNAL_STREAM"),
                               environment_value("INVOCATION_ID"), stderr_identity);
}

}  // namespace cairn
