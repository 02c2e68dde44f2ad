// Mesos' `file://` flag values: "--credentials=file:///etc/cairn/creds".
//
// For flags declared with FlagSet's from_file(), a value that starts with
// "file://" names a file whose contents (with surrounding whitespace
// trimmed) become the value. As in Mesos the path may be absolute
// ("file:///etc/x") or relative to the working directory ("file://conf/x").
// Keeping secrets out of the command line (and so out of `ps`) is the point.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::flags {

inline constexpr std::string_view kFileScheme = "file://";

// Files referenced by flags hold credentials, JSON or ACLs, never megabytes;
// the cap keeps "file:///dev/zero" from eating memory.
inline constexpr size_t kMaxFlagFileBytes = 4 * 1024 * 1024;

bool is_file_reference(std::string_view value);

// The trimmed contents of the file "file://<path>" names. The error names the
// path and why it could not be read.
Result<std::string> read_file_reference(std::string_view value);

}  // namespace cairn::flags
