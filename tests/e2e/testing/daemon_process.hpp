// A long-running program under test (cairn-master, cairn-agent, a
// ZooKeeper server): started, signalled, restarted and reaped by the test,
// its stdout and stderr appended to one log file whose tail goes into
// failure messages.
//
// The process runs in its own session (launch_process does setsid), so
// kill() signals its whole process group. The destructor SIGKILLs the group
// and reaps the process, so a failing test never leaves daemons behind
// (unless the test binary itself is killed: then TestNetwork::cleanup_stale
// removes those that ran inside test hosts).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/duration.hpp"

namespace cairn::e2e {

class Host;

class DaemonProcess {
 public:
  struct Options {
    // argv[0]: a path, or a name looked up in PATH.
    std::vector<std::string> argv;
    // stdout and stderr are appended here, after a "=== start" line per
    // start; its directory is created. Required.
    std::string log_path;
    // Added to (and overriding) the test's own environment, unless
    // inherit_environment is false.
    std::map<std::string, std::string> environment;
    bool inherit_environment = true;
    std::string working_directory;
    // Run inside this host's network namespace; nullptr: the test's own.
    // The host must outlive the DaemonProcess.
    const Host* host = nullptr;
  };

  // Constructs and start()s.
  static Result<std::unique_ptr<DaemonProcess>> launch(Options options);

  explicit DaemonProcess(Options options);
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  // SIGKILL to the group, then reaps.
  ~DaemonProcess();

  // Starts the program; an error if it is running or cannot be executed.
  Status start();
  // SIGKILLs and reaps the running process (if any), then start()s again
  // with the same options.
  Status restart();

  // The pid of the last start, -1 before the first.
  pid_t pid() const { return pid_; }
  // Whether the last start is still running; reaps it when it has exited.
  bool alive();
  // Sends `signal` to the process group; an error when not running.
  Status kill(int signal = SIGKILL);
  // Waits for the process to exit: its exit status, or 128 + the signal
  // that ended it. An error when it still runs after `timeout` or was
  // never started.
  Result<int> wait_exit(Duration timeout);
  // SIGTERM, wait_exit(grace), then SIGKILL if it is still running; the
  // exit code as wait_exit. Ok immediately when not running.
  Result<int> stop(Duration grace = Duration::seconds(5));
  // The exit code of the last run once it has been reaped.
  std::optional<int> exit_code() const { return exit_code_; }

  const std::string& log_path() const { return options_.log_path; }
  // The last `lines` lines of the log ("" when there is none).
  std::string log_tail(size_t lines = 30) const;
  // The command line, for messages.
  std::string describe() const;

 private:
  Options options_;
  pid_t pid_ = -1;
  bool running_ = false;
  std::optional<int> exit_code_;
};

// Where the build put the program `name` (cairn-master, cairn-agent,
// cairn-executor, cairn): found relative to this test binary
// (/proc/self/exe) by walking up to the build tree root (the directory with
// CMakeCache.txt) and looking in daemons/master, daemons/agent,
// daemons/executor, cli, then anywhere below the root. $CAIRN_BUILD_DIR,
// when set, is used as the root instead.
Result<std::string> find_binary(const std::string& name);

}  // namespace cairn::e2e
