// Copying bytes between files: a local URI into its temporary file in the
// sandbox, and a cached file out of the fetcher cache.
#pragma once

#include <cstdint>
#include <string>

#include "lib/base/result.hpp"

namespace cairn::fetcher {

// Copies everything from `in` (from its current offset) to `out`; returns
// the byte count. max_bytes > 0 fails the copy once it would exceed that.
Result<uint64_t> copy_fd(int in, int out, uint64_t max_bytes = 0);

// Copies the regular file at absolute `path` into `out`. Refuses
// directories, devices and FIFOs, and files over max_bytes (when > 0).
Result<uint64_t> copy_local_file(const std::string& path, int out, uint64_t max_bytes);

}  // namespace cairn::fetcher
