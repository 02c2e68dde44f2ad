// Whole-file reads and crash-safe writes, for state that must never be seen
// half written (the master's registry, the agent's checkpoints).
//
// write_file_atomically() writes a temporary file next to the target,
// fsyncs it, renames it over the target and fsyncs the directory, so after
// a crash the file holds either the old or the new content.
#pragma once

#include <string>

#include "lib/base/result.hpp"

namespace cairn::fs {

Status write_file_atomically(const std::string& path, const std::string& content);
// The whole file; the error names the path and the errno text.
Result<std::string> read_file(const std::string& path);
// mkdir -p; ok when it exists.
Status create_directories(const std::string& path);

}  // namespace cairn::fs
