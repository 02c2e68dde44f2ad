// Reading a file that a cluster spec is, or refers to, with a size bound.
//
// The spec itself and the credential, ACL and rate-limit files it names are
// read whole. read_text_file() refuses what is not a regular file (a
// directory, /dev/zero) and anything over `max_bytes` before reading it all,
// and its errors read after the file name: "does not exist", "is a
// directory (expected a file)", "is 5000000 bytes (expected at most ...)".
#pragma once

#include <cstddef>
#include <string>

#include "lib/base/result.hpp"

namespace cairn::spec {

Result<std::string> read_text_file(const std::string& path, size_t max_bytes);

}  // namespace cairn::spec
