// FileOwner: the task user that fetched files are given to, resolved once
// per fetch, and the permission check that keeps the fetcher (running as
// root) from copying a local file the task's user could not read itself.
//
// Mesos chowns everything the fetcher writes to the task's user; a local
// URI such as "/etc/shadow" would otherwise hand any framework a copy of a
// root-only file. check_readable_by() applies the classic permission bits
// (owner, group incl. supplementary groups, other; ACLs are not consulted)
// to the file and every directory on the way to it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::fetcher {

struct FileOwner {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, including gid
};

// getpwnam + getgrouplist; an unknown user is an error naming it.
Result<FileOwner> resolve_user(const std::string& user);

// Ok when `owner` may read the file at the absolute `path` (search on each
// ancestor directory, read on the file), checked along the path as written
// and along its symlink-free real path.
Status check_readable_by(const std::string& path, const FileOwner& owner);

}  // namespace cairn::fetcher
