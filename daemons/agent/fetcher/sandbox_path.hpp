// Where a fetched file may go: a relative path inside the task's sandbox.
//
// The name comes from the framework (output_file) or from the URI's last
// segment, so it is untrusted. normalize_sandbox_path() refuses absolute
// paths and '..' components; prepare_parent() creates missing parent
// directories and refuses any component that is not a real directory, so a
// symlink already in the sandbox (say, from an archive fetched just before)
// cannot redirect a write to somewhere outside it.
#pragma once

#include <string>
#include <string_view>

#include "daemons/agent/fetcher/file_owner.hpp"
#include "lib/base/result.hpp"

namespace cairn::fetcher {

// "bin/./tool" -> "bin/tool". Errors: empty, absolute, a '..' component,
// a trailing '/' (names a directory), a NUL byte.
Result<std::string> normalize_sandbox_path(std::string_view path);

// Creates the directories leading to the normalized `relative` below
// `sandbox` (mode 0755, given to `owner` when set) and returns the absolute
// directory the file goes into.
Result<std::string> prepare_parent(const std::string& sandbox, const std::string& relative,
                                   const FileOwner* owner);

// The last component of a normalized relative path.
std::string leaf_name(const std::string& relative);

}  // namespace cairn::fetcher
