#include "daemons/agent/fetcher/local_copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "daemons/agent/fetcher/scoped_file.hpp"
#include "lib/units/bytes.hpp"

namespace cairn::fetcher {

namespace {

Error too_large(uint64_t max_bytes) {
  return Error("larger than the download limit of " + Bytes(max_bytes).to_string());
}

}  // namespace

Result<uint64_t> copy_fd(int in, int out, uint64_t max_bytes) {
  std::vector<char> buffer(256 * 1024);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) return total;
    total += static_cast<uint64_t>(n);
    if (max_bytes > 0 && total > max_bytes) return too_large(max_bytes);
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0) {
        if (errno == EINTR) continue;
        return Error(std::string("write failed: ") + std::strerror(errno));
      }
      done += w;
    }
  }
}

Result<uint64_t> copy_local_file(const std::string& path, int out, uint64_t max_bytes) {
  // O_NONBLOCK so that opening a FIFO cannot hang; fstat then refuses it.
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!in.valid()) return errno_error("cannot open", path);
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return errno_error("cannot stat", path);
  if (S_ISDIR(st.st_mode)) return Error("'" + path + "' is a directory; only files are fetched");
  if (!S_ISREG(st.st_mode)) return Error("'" + path + "' is not a regular file");
  if (max_bytes > 0 && static_cast<uint64_t>(st.st_size) > max_bytes) return too_large(max_bytes);
  int flags = ::fcntl(in.get(), F_GETFL);
  if (flags >= 0) ::fcntl(in.get(), F_SETFL, flags & ~O_NONBLOCK);
  auto copied = copy_fd(in.get(), out, max_bytes);
  if (!copied.ok()) return Error("copying '" + path + "': " + copied.error());
  return copied;
}

}  // namespace cairn::fetcher
