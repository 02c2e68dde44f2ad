// Reading and writing cgroup control files, with errors that name the file.
//
// Every cgroup operation is a read or write of a small file under the cgroup
// mount; the kernel reports a refused value as the errno of write(2) (EBUSY
// for a memory limit below usage, ESRCH for a pid that is gone, EINVAL for a
// malformed value). These helpers turn each failure into an Error of the form
// "cannot write 512 to /sys/fs/cgroup/memory/cairn/x/memory.limit_in_bytes:
// Device or resource busy", so callers can pass it on unchanged. Internal to
// lib/cgroups, but the pure parsers are declared here so tests can reach them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::cgroups::files {

// "Device or resource busy" for EBUSY.
std::string errno_text(int err);

// a + "/" + b without doubling the slash.
std::string join(const std::string& a, const std::string& b);

bool exists(const std::string& path);

// The whole file (cgroup files report a size of 0 or 4096, so read to EOF).
Result<std::string> read(const std::string& path);

// One write(2) of `value` (the kernel parses each write as a whole). Fails
// with ENOENT text when the file does not exist: control files are never
// created, only written.
Status write(const std::string& path, const std::string& value);

// A whole unsigned decimal number, nothing else.
std::optional<uint64_t> parse_u64(std::string_view text);

// A file that holds one unsigned number ("67108864\n").
Result<uint64_t> read_u64(const std::string& path);

// "key value" lines (cpu.stat, memory.stat, memory.events, cpuacct.stat,
// memory.oom_control, cgroup.events); lines whose value is not a number are
// skipped.
std::map<std::string, uint64_t> parse_keyed(std::string_view text);
Result<std::map<std::string, uint64_t>> read_keyed(const std::string& path);

// One pid per line (cgroup.procs).
Result<std::vector<int>> parse_pids(std::string_view text, const std::string& path);

// The text without leading/trailing whitespace.
std::string_view trim(std::string_view text);

// Names of the subdirectories of `dir` (empty when dir does not exist).
Result<std::vector<std::string>> subdirectories(const std::string& dir);

}  // namespace cairn::cgroups::files
