// CommandExecutor: the logic of cairn-executor, Mesos' command executor and
// default executor in one.
//
// LAUNCH runs the task's CommandInfo (TASK_STARTING, then TASK_RUNNING,
// then TASK_FINISHED / TASK_FAILED / TASK_KILLED with Mesos' "Command exited
// with status N" message); LAUNCH_GROUP runs each task of the group and,
// as Mesos' default executor, kills the rest of the group when one of them
// fails or is killed. KILL escalates SIGTERM → SIGKILL after the kill
// policy's grace period (the KILL's, else the task's, else 3 seconds) and
// sends TASK_KILLING first to frameworks with the TASK_KILLING_STATE
// capability. Tasks with a health_check are checked (health_checker.hpp):
// health changes go out as TASK_RUNNING updates with `healthy` and reason
// REASON_TASK_HEALTH_CHECK_STATUS_UPDATED; too many consecutive failures
// kill the task, which then ends TASK_KILLED with healthy=false.
//
// The executor exits once every task it was given has ended and its
// updates were acknowledged (or, as a fail-safe, a minute after they were
// all delivered). SHUTDOWN kills every task (grace: the shutdown grace
// period less two seconds, as Mesos leaves the agent time to hear the
// result) and exits 0 once the updates are delivered. Losing the agent for
// good (see ExecutorClient) is handled like SHUTDOWN but exits 1; an ERROR
// event kills the tasks and exits 1.
#pragma once

#include <csignal>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "daemons/executor/environment.hpp"
#include "daemons/executor/executor_client.hpp"
#include "daemons/executor/health_checker.hpp"
#include "daemons/executor/task_process.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/mesos/task_state.hpp"

namespace cairn::executor {

struct ExecutorTimings {
  Duration default_kill_grace = Duration::seconds(3);  // Mesos' default for KILL
  Duration ack_wait = Duration::seconds(60);           // after the last task ended
  Duration tick = Duration::milliseconds(100);         // exit checks, signal flag
  Duration reap_interval = Duration::milliseconds(100);
};

class CommandExecutor : public ExecutorHandler {
 public:
  CommandExecutor(EventLoop& loop, ExecutorEnvironment environment, ExecutorTimings timings = {});
  ~CommandExecutor() override;  // SIGKILLs whatever still runs
  CommandExecutor(const CommandExecutor&) = delete;
  CommandExecutor& operator=(const CommandExecutor&) = delete;

  void start();
  // Checked every tick; non-zero asks for a shutdown (set from a signal
  // handler on SIGTERM/SIGINT).
  void watch_signal_flag(const volatile std::sig_atomic_t* flag) { signal_flag_ = flag; }
  // Set when the executor has decided to exit; the loop is stopped then.
  std::optional<int> exit_code() const { return exit_code_; }

  // ExecutorHandler.
  void subscribed(const SubscribedInfo& info) override;
  void disconnected() override;
  void launch(const nlohmann::json& task) override;
  void launch_group(const std::vector<nlohmann::json>& tasks) override;
  void kill(const std::string& task_id, std::optional<Duration> grace) override;
  void acknowledged(const std::string& task_id, const std::string& uuid) override;
  void message(const std::string& data) override;
  void shutdown() override;
  void error(const std::string& message) override;
  void agent_lost(const std::string& reason) override;

 private:
  struct Task {
    std::string id;
    nlohmann::json info;
    std::optional<int> group;  // which LAUNCH_GROUP it came in
    std::unique_ptr<TaskProcess> process;
    std::unique_ptr<HealthChecker> checker;
    std::optional<Duration> policy_grace;  // TaskInfo.kill_policy.grace_period
    bool killed = false;                   // a kill was started
    bool killed_by_health = false;
    bool terminal = false;
  };

  void launch_task(const nlohmann::json& info, std::optional<int> group);
  void task_exited(const std::string& task_id, int wait_status);
  void health_changed(const std::string& task_id, const HealthResult& result);
  void kill_task(Task& task, Duration grace);
  void finish_task(Task& task, mesos::TaskState state, const std::string& message,
                   std::optional<bool> healthy = std::nullopt);
  void send_status(const std::string& task_id, mesos::TaskState state,
                   const std::string& message = "", std::optional<bool> healthy = std::nullopt,
                   const std::string& reason = "");
  void begin_shutdown(const std::string& why);
  void tick();
  void check_done();
  void exit(int code, const std::string& why);
  bool all_terminal() const;

  EventLoop& loop_;
  const ExecutorEnvironment env_;
  const ExecutorTimings timings_;
  ProcessReaper reaper_;
  ExecutorClient client_;
  std::map<std::string, Task> tasks_;
  std::optional<std::string> agent_id_;
  bool task_killing_state_ = false;
  int next_group_ = 0;
  std::set<int> failed_groups_;  // groups whose remaining tasks are killed
  bool shutting_down_ = false;
  bool agent_lost_ = false;
  std::optional<std::chrono::steady_clock::time_point> all_done_at_;
  std::optional<std::chrono::steady_clock::time_point> shutdown_deadline_;
  std::optional<int> exit_code_;
  const volatile std::sig_atomic_t* signal_flag_ = nullptr;
  Timer tick_timer_;
};

}  // namespace cairn::executor
