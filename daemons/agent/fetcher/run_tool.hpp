// Runs an unpacking tool (tar, unzip, gzip) to completion: fork and exec
// with an argv, never a shell, so no file name is ever interpreted.
//
// The child gets /dev/null as stdin, its stdout in `stdout_path` (or in the
// captured output), stderr captured, default signal handling, and no
// descriptor of the agent beyond those. The program is looked up in PATH
// before forking (only async-signal-safe calls happen in the child).
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::fetcher {

struct ToolOutcome {
  int exit_code = 0;
  std::string output;  // stderr (and stdout unless redirected): one line, at most 4KB
};

// An error only when the tool could not be run or was killed by a signal;
// callers judge the exit code (unzip's 1 means "warnings").
Result<ToolOutcome> run_tool(const std::vector<std::string>& argv,
                             const std::string& stdout_path = "");

// "`tar -x -f a.tgz` exited with status 2: <its output>", for errors.
std::string describe_failure(const std::vector<std::string>& argv, const ToolOutcome& outcome);

}  // namespace cairn::fetcher
