// Running a task's command: building it from a Mesos CommandInfo, forking
// and exec'ing it in a session of its own, noticing when it exits, and
// killing it with Mesos' escalation (SIGTERM to the whole process group,
// SIGKILL once the grace period is over).
//
// Children are reaped by polling waitpid() on the EventLoop (ProcessReaper):
// no SIGCHLD handler, no extra thread. A task runs as the leader of its own
// session, so signalling -pid reaches everything it started that did not
// leave; when the leader exits, whatever is left of its group is SIGKILLed
// before the leader is reaped (while its pid cannot be reused).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/units/duration.hpp"

namespace cairn::executor {

// What to exec: argv[0] is looked up in PATH when it has no '/'.
struct CommandSpec {
  std::string program;
  std::vector<std::string> argv;
  std::map<std::string, std::string> environment;  // the complete environment
  std::string working_directory;
};

// A Mesos CommandInfo as a CommandSpec: `shell` (default true) runs
// `/bin/sh -c value`; otherwise `value` is the program and `arguments` its
// argv (argv[0] included, Mesos' convention; [value] when empty).
// `environment.variables` (type VALUE) are added to `base_environment`;
// SECRET variables cannot be resolved by this executor and are an error.
Result<CommandSpec> command_from_json(const nlohmann::json& command_info,
                                      std::map<std::string, std::string> base_environment,
                                      const std::string& working_directory);

// This process's environment as a map.
std::map<std::string, std::string> current_environment();

// Forks and execs `spec` with signals reset to their defaults, stdin from
// /dev/null, stdout/stderr inherited, no other inherited descriptors, in a
// new session (the child's pid is its process group), and SIGKILL as its
// parent-death signal so that a crashed executor does not leave its tasks
// behind. Fails (and reaps the child) when exec fails.
Result<pid_t> spawn(const CommandSpec& spec);

// Mesos' wording for a wait status: "exited with status 3",
// "terminated with signal Killed".
std::string describe_wait_status(int status);

// Polls waitpid() for the children it watches.
class ProcessReaper {
 public:
  using Exited = std::function<void(int wait_status)>;

  explicit ProcessReaper(EventLoop& loop, Duration interval = Duration::milliseconds(100));
  ~ProcessReaper();
  ProcessReaper(const ProcessReaper&) = delete;
  ProcessReaper& operator=(const ProcessReaper&) = delete;

  // `exited` runs on the loop once `pid` (a child of this process) has
  // exited. With `kill_group`, the rest of the process group `pid` led is
  // SIGKILLed first.
  void watch(pid_t pid, bool kill_group, Exited exited);
  // The child is still reaped, but nobody is told.
  void forget(pid_t pid);
  size_t watched() const { return children_.size(); }

 private:
  struct Child {
    bool kill_group = false;
    Exited exited;
  };
  void poll();
  void arm();

  EventLoop& loop_;
  Duration interval_;
  std::map<pid_t, Child> children_;
  Timer timer_;
};

// One running task process and its kill escalation.
class TaskProcess {
 public:
  // `exited` gets the wait status once the process is gone.
  static Result<std::unique_ptr<TaskProcess>> start(EventLoop& loop, ProcessReaper& reaper,
                                                    const CommandSpec& spec,
                                                    std::function<void(int)> exited);
  ~TaskProcess();  // SIGKILLs the group if it still runs
  TaskProcess(const TaskProcess&) = delete;
  TaskProcess& operator=(const TaskProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return running_; }
  bool killing() const { return kill_started_.has_value(); }

  // SIGTERM to the group now (the first time), SIGKILL once `grace` has
  // passed since the first kill. A later kill can only shorten the grace
  // period, never extend it (Mesos: a retried kill is a no-op).
  void kill(Duration grace);
  // SIGKILL to the group at once.
  void kill_now();

 private:
  TaskProcess(EventLoop& loop, ProcessReaper& reaper, pid_t pid);
  void escalate();

  EventLoop& loop_;
  ProcessReaper& reaper_;
  pid_t pid_;
  bool running_ = true;
  std::optional<std::chrono::steady_clock::time_point> kill_started_;
  std::chrono::steady_clock::time_point kill_deadline_;
  Timer escalation_;
};

}  // namespace cairn::executor
