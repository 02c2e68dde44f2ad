// stat() first, so that special files are refused without reading them;
// the read itself stops past max_bytes too, in case the file grew.
#include "lib/spec/text_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace cairn::spec {

Result<std::string> read_text_file(const std::string& path, size_t max_bytes) {
  const auto too_large = [&](const std::string& size) {
    return Error("is " + size + " bytes (expected at most " + std::to_string(max_bytes) + ")");
  };
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Error("does not exist");
    return Error(std::string("cannot be read: ") + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) return Error("is a directory (expected a file)");
  if (!S_ISREG(info.st_mode)) return Error("is not a regular file (expected a file)");
  if (static_cast<unsigned long long>(info.st_size) > max_bytes) {
    return too_large(std::to_string(info.st_size));
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(std::string("cannot be read: ") + std::strerror(errno));
  std::string text;
  text.reserve(static_cast<size_t>(info.st_size));
  char chunk[16384];
  while (in) {
    in.read(chunk, sizeof chunk);
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > max_bytes) return too_large("more than " + std::to_string(max_bytes));
  }
  if (in.bad()) return Error("cannot be read: I/O error");
  return text;
}

}  // namespace cairn::spec
