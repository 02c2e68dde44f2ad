#include "lib/flags/file_reference.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace cairn::flags {
namespace {

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

// Closes the descriptor on every return path.
struct FileDescriptor {
  int fd;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

bool is_file_reference(std::string_view value) {
  return value.starts_with(kFileScheme);
}

Result<std::string> read_file_reference(std::string_view value) {
  const std::string path(value.substr(kFileScheme.size()));
  const std::string what = "cannot read file '" + path + "'";
  if (path.empty()) {
    return Error(what + ": no path after file:// (expected e.g. file:///etc/cairn/secret)");
  }
  FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return Error(what + ": " + errno_text(errno));
  struct stat info {};
  if (::fstat(file.fd, &info) != 0) return Error(what + ": " + errno_text(errno));
  if (S_ISDIR(info.st_mode)) return Error(what + ": it is a directory");

  std::string contents;
  char buffer[8192];
  while (true) {
    const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(what + ": " + errno_text(errno));
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > kMaxFlagFileBytes) {
      return Error(what + ": larger than the limit of " + std::to_string(kMaxFlagFileBytes) +
                   " bytes");
    }
  }
  return std::string(trim(contents));
}

}  // namespace cairn::flags
