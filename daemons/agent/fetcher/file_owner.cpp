#include "daemons/agent/fetcher/file_owner.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace cairn::fetcher {

namespace {

// The permission class (owner, group, other) that applies to `owner`, as
// the kernel picks it: the first class that matches decides alone.
bool permits(const struct stat& st, const FileOwner& owner, mode_t owner_bit) {
  if (st.st_uid == owner.uid) return (st.st_mode & owner_bit) != 0;
  if (std::find(owner.groups.begin(), owner.groups.end(), st.st_gid) != owner.groups.end())
    return (st.st_mode & (owner_bit >> 3)) != 0;
  return (st.st_mode & (owner_bit >> 6)) != 0;
}

Status check_chain(const std::string& path, const FileOwner& owner) {
  // Every proper prefix ending before a '/' is a directory to search.
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
      return Error("cannot stat '" + dir + "': " + std::strerror(errno));
    if (!permits(st, owner, S_IXUSR))
      return Error("user '" + owner.user + "' may not enter directory '" + dir + "'");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Error("cannot stat '" + path + "': " + std::strerror(errno));
  if (!permits(st, owner, S_IRUSR))
    return Error("user '" + owner.user + "' may not read '" + path + "'");
  return ok_status();
}

}  // namespace

Result<FileOwner> resolve_user(const std::string& user) {
  long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(hint > 0 ? static_cast<size_t>(hint) : 16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  int rc;
  while ((rc = ::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found)) == ERANGE)
    buffer.resize(buffer.size() * 2);
  if (rc != 0) return Error("cannot look up user '" + user + "': " + std::strerror(rc));
  if (found == nullptr) return Error("unknown user '" + user + "'");

  FileOwner owner{user, pw.pw_uid, pw.pw_gid, {}};
  int count = 16;
  for (;;) {
    owner.groups.resize(static_cast<size_t>(count));
    int n = count;
    if (::getgrouplist(user.c_str(), pw.pw_gid, owner.groups.data(), &n) >= 0) {
      owner.groups.resize(static_cast<size_t>(n));
      break;
    }
    if (n <= count) n = count * 2;  // defensive: glibc reports the size it needs
    count = n;
  }
  return owner;
}

Status check_readable_by(const std::string& path, const FileOwner& owner) {
  if (owner.uid == 0) return ok_status();
  if (Status literal = check_chain(path, owner); !literal.ok()) return literal;
  char* real = ::realpath(path.c_str(), nullptr);
  if (real == nullptr) return Error("cannot resolve '" + path + "': " + std::strerror(errno));
  std::string resolved(real);
  std::free(real);
  return resolved == path ? ok_status() : check_chain(resolved, owner);
}

}  // namespace cairn::fetcher
