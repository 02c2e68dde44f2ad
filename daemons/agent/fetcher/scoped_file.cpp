#include "daemons/agent/fetcher/scoped_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace cairn::fetcher {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<TempFile> TempFile::create(const std::string& directory, const std::string& prefix) {
  std::string name = directory + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(name.begin(), name.end());
  buffer.push_back('\0');
  int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) return errno_error("cannot create a temporary file in", directory);
  return TempFile(std::string(buffer.data()), fd);
}

TempFile::~TempFile() {
  // The file is ours exactly while the descriptor is open: a moved-from
  // TempFile has none, and rename_to() closes it.
  if (fd_.valid()) ::unlink(path_.c_str());
}

Status TempFile::rename_to(const std::string& target) {
  fd_.reset();
  if (::rename(path_.c_str(), target.c_str()) != 0) {
    Error error = errno_error("cannot rename '" + path_ + "' to", target);
    ::unlink(path_.c_str());
    return error;
  }
  return ok_status();
}

Error errno_error(const std::string& what, const std::string& path) {
  return Error(what + " '" + path + "': " + std::strerror(errno));
}

}  // namespace cairn::fetcher
