// Running a short command to completion and collecting what it printed.
//
// The e2e infrastructure drives `ip`, and tests may drive other tools, the
// way a shell would: run, wait, look at the exit code and output. This wraps
// lib/process's launch_process (which only knows long-running children
// writing into files) for that purpose; the program is looked up like a
// shell does, with /usr/sbin and /sbin added because tests run as root from
// environments whose PATH may lack them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::e2e {

struct CommandOutput {
  // The exit status, or 128 + the signal number when a signal ended it.
  int exit_code = 0;
  // stdout and stderr, interleaved as they were written.
  std::string output;
};

// The absolute path of `name`: itself when it has a slash, else the first
// executable in $PATH, /usr/local/sbin, /usr/sbin or /sbin.
Result<std::string> find_program(const std::string& name);

// This process's environment, for children that should see the same one.
std::map<std::string, std::string> current_environment();

// Runs argv to completion. An Error means it could not be started; a
// non-zero exit is a value.
Result<CommandOutput> run_command(const std::vector<std::string>& argv);

// Like run_command, but a non-zero exit is an Error that quotes the command
// and its output. The value is the output.
Result<std::string> run_checked(const std::vector<std::string>& argv);

// `argv` joined with spaces, for messages.
std::string describe_command(const std::vector<std::string>& argv);

// 128 + signal when `wait_status` says a signal ended the process, else
// the exit status.
int exit_code_of(int wait_status);

}  // namespace cairn::e2e
