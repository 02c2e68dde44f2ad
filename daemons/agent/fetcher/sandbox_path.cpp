#include "daemons/agent/fetcher/sandbox_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace cairn::fetcher {

Result<std::string> normalize_sandbox_path(std::string_view path) {
  std::string shown = "file name '" + std::string(path) + "'";
  if (path.empty()) return Error("empty file name");
  if (path.find('\0') != std::string_view::npos) return Error("file name contains a NUL byte");
  if (path.front() == '/') return Error(shown + " is absolute; it must stay inside the sandbox");
  if (path.back() == '/') return Error(shown + " names a directory, not a file");
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") return Error(shown + " contains '..'; it must stay inside the sandbox");
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    start = end + 1;
  }
  if (out.empty()) return Error(shown + " names the sandbox itself, not a file");
  return out;
}

Result<std::string> prepare_parent(const std::string& sandbox, const std::string& relative,
                                   const FileOwner* owner) {
  std::string dir = sandbox;
  size_t start = 0;
  for (size_t slash = relative.find('/'); slash != std::string::npos;
       slash = relative.find('/', start)) {
    dir += "/" + relative.substr(start, slash - start);
    start = slash + 1;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
      if (errno != ENOENT) return Error("cannot stat '" + dir + "': " + std::strerror(errno));
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return Error("cannot create directory '" + dir + "': " + std::strerror(errno));
      if (::lstat(dir.c_str(), &st) != 0)
        return Error("cannot stat '" + dir + "': " + std::strerror(errno));
      if (owner != nullptr && S_ISDIR(st.st_mode) &&
          ::lchown(dir.c_str(), owner->uid, owner->gid) != 0)
        return Error("cannot chown '" + dir + "' to " + owner->user + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
      return Error("'" + relative.substr(0, slash) + "' in the sandbox is not a directory" +
                   (S_ISLNK(st.st_mode) ? " (a symlink, not followed)" : ""));
  }
  return dir;
}

std::string leaf_name(const std::string& relative) {
  size_t slash = relative.rfind('/');
  return slash == std::string::npos ? relative : relative.substr(slash + 1);
}

}  // namespace cairn::fetcher
