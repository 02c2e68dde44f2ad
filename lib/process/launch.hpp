// Forks and execs a program the way containers need it: its own session
// (so kills reach the whole tree), stdout/stderr appended to files, a clean
// signal state, no inherited file descriptors, and a hook that runs in the
// parent between fork and exec (to put the child into its cgroup before it
// runs a single instruction of the program).
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::process {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: path of the program
  std::map<std::string, std::string> environment;
  std::string working_directory;
  std::string stdout_path;
  std::string stderr_path;
  // filesystem/shared: a mount namespace of its own in which this
  // directory is bind-mounted over /tmp (empty: the host's /tmp).
  std::string private_tmp;
  // namespaces/pid: the program runs as pid 1 of a new PID namespace (with
  // its own /proc); the returned pid is that of a small init in the host's
  // namespace that waits for it and exits with its status.
  bool pid_namespace = false;
  // The program gets SIGKILL when the thread that launched it ends
  // (PR_SET_PDEATHSIG): for test fixtures such as a ZooKeeper server, which
  // must not outlive a test binary that crashed.
  bool die_with_parent = false;
};

// `before_exec(pid)` runs in the parent while the child waits; if it fails
// the child is killed and the error returned.
Result<pid_t> launch_process(const ProcessSpec& spec,
                             const std::function<Status(pid_t)>& before_exec = {});

// Whether `pid` still exists (reaps it when it is our exited child; `status`
// then gets its wait status).
bool process_alive(pid_t pid, bool child, int* status = nullptr);

}  // namespace cairn::process
