#include "daemons/executor/executor.hpp"

#include <sys/wait.h>

#include "lib/base/base64.hpp"
#include "lib/base/uuid.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/task_status.hpp"

namespace cairn::executor {

using mesos::TaskState;
using nlohmann::json;

namespace {

std::string task_id_of(const json& task) {
  auto id = task.find("task_id");
  if (id == task.end() || !id->is_object()) return "";
  auto value = id->find("value");
  return value != id->end() && value->is_string() ? value->get<std::string>() : "";
}

std::optional<Duration> policy_grace(const json& task) {
  auto policy = task.find("kill_policy");
  if (policy == task.end() || !policy->is_object()) return std::nullopt;
  auto period = policy->find("grace_period");
  if (period == policy->end() || !period->is_object()) return std::nullopt;
  auto ns = period->find("nanoseconds");
  if (ns == period->end() || !ns->is_number_integer()) return std::nullopt;
  return Duration::nanoseconds(ns->get<int64_t>());
}

ClientConfig client_config(const ExecutorEnvironment& env) {
  ClientConfig config;
  config.api_url = env.api_url();
  config.framework_id = env.framework_id;
  config.executor_id = env.executor_id;
  config.checkpoint = env.checkpoint;
  config.recovery_timeout = env.recovery_timeout;
  config.backoff_max = env.subscription_backoff_max;
  return config;
}

}  // namespace

CommandExecutor::CommandExecutor(EventLoop& loop, ExecutorEnvironment environment,
                                 ExecutorTimings timings)
    : loop_(loop),
      env_(std::move(environment)),
      timings_(timings),
      reaper_(loop, timings_.reap_interval),
      client_(loop, client_config(env_), *this),
      agent_id_(env_.agent_id) {}

CommandExecutor::~CommandExecutor() {
  client_.stop();
  tasks_.clear();  // TaskProcess SIGKILLs what still runs
}

void CommandExecutor::start() {
  log::info("Executor {} of framework {} starting (agent {}, sandbox {}, checkpoint {})",
            env_.executor_id, env_.framework_id, env_.agent_endpoint, env_.sandbox,
            env_.checkpoint ? "on" : "off");
  client_.start();
  tick_timer_ = loop_.after(timings_.tick, [this] { tick(); });
}

// --- events -----------------------------------------------------------------

void CommandExecutor::subscribed(const SubscribedInfo& info) {
  if (info.agent_id) agent_id_ = info.agent_id;
  task_killing_state_ = info.capabilities.count("TASK_KILLING_STATE") > 0;
}

void CommandExecutor::disconnected() {
  log::warning(
      "Disconnected from the agent; tasks keep running and updates are kept until it is back");
}

void CommandExecutor::launch(const json& task) {
  launch_task(task, std::nullopt);
}

void CommandExecutor::launch_group(const std::vector<json>& tasks) {
  const int group = next_group_++;
  log::info("Launching a task group of {} tasks", tasks.size());
  for (const json& task : tasks)
    launch_task(task, group);
}

void CommandExecutor::launch_task(const json& info, std::optional<int> group) {
  const std::string id = task_id_of(info);
  if (exit_code_) return;
  if (tasks_.count(id)) {
    log::warning("Ignoring a second LAUNCH of task {}", id);
    return;
  }
  Task& task = tasks_[id];
  task.id = id;
  task.info = info;
  task.group = group;
  task.policy_grace = policy_grace(info);
  client_.track_task(id, info);
  all_done_at_.reset();

  if (shutting_down_) {
    finish_task(task, TaskState::kFailed, "The executor is shutting down");
    return;
  }
  if (group && failed_groups_.count(*group)) {
    finish_task(task, TaskState::kKilled, "Another task of its task group failed or was killed");
    return;
  }
  send_status(id, TaskState::kStarting);
  auto command = info.find("command");
  if (command == info.end() || !command->is_object()) {
    finish_task(task, TaskState::kFailed, "The task has no command to run");
    return;
  }
  std::map<std::string, std::string> environment = current_environment();
  environment["MESOS_TASK_ID"] = id;
  Result<CommandSpec> spec = command_from_json(*command, environment, env_.sandbox);
  if (!spec.ok()) {
    finish_task(task, TaskState::kFailed, "Failed to launch the task: " + spec.error());
    return;
  }
  auto process = TaskProcess::start(loop_, reaper_, *spec,
                                    [this, id](int status) { task_exited(id, status); });
  if (!process.ok()) {
    finish_task(task, TaskState::kFailed, "Failed to launch the task: " + process.error());
    return;
  }
  task.process = std::move(*process);
  log::info("Started task {} (pid {})", id, task.process->pid());
  send_status(id, TaskState::kRunning);

  auto check = info.find("health_check");
  if (check != info.end() && !check->is_null()) {
    Result<HealthCheckSpec> health = HealthCheckSpec::from_json(*check);
    if (!health.ok()) {
      log::warning("Task {} is not health checked: {}", id, health.error());
    } else {
      task.checker = std::make_unique<HealthChecker>(
          loop_, reaper_, *health, spec->environment, env_.sandbox, id,
          [this, id](const HealthResult& result) { health_changed(id, result); });
      task.checker->start();
    }
  }
}

void CommandExecutor::kill(const std::string& task_id, std::optional<Duration> grace) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.terminal) {
    log::warning("Ignoring a kill of task {}: it is not running here", task_id);
    return;
  }
  Task& task = it->second;
  kill_task(task, grace.value_or(task.policy_grace.value_or(timings_.default_kill_grace)));
}

void CommandExecutor::acknowledged(const std::string&, const std::string&) {
  check_done();
}

void CommandExecutor::message(const std::string& data) {
  log::info("Received a framework message of {} bytes (ignored by the command executor)",
            data.size());
}

void CommandExecutor::shutdown() {
  begin_shutdown("the agent asked for SHUTDOWN");
}

void CommandExecutor::error(const std::string& message) {
  log::error("The agent sent an ERROR: {}", message);
  exit(1, "ERROR event");
}

void CommandExecutor::agent_lost(const std::string& reason) {
  agent_lost_ = true;
  begin_shutdown("the agent is gone: " + reason);
}

// --- tasks ------------------------------------------------------------------

void CommandExecutor::task_exited(const std::string& task_id, int wait_status) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  Task& task = it->second;
  TaskState state = TaskState::kFailed;
  if (task.killed) {
    state = TaskState::kKilled;
  } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
    state = TaskState::kFinished;
  }
  const std::string message = "Command " + describe_wait_status(wait_status);
  log::info("Task {} {} ({})", task_id, message, mesos::to_string(state));
  finish_task(task, state, message,
              task.killed_by_health ? std::optional<bool>(false) : std::nullopt);
}

void CommandExecutor::health_changed(const std::string& task_id, const HealthResult& result) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end() || it->second.terminal || it->second.killed) return;
  Task& task = it->second;
  send_status(task_id, TaskState::kRunning, "", result.healthy,
              "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
  if (result.kill_task) {
    log::warning("Killing task {} after {} consecutive failed health checks", task_id,
                 result.consecutive_failures);
    task.killed_by_health = true;
    kill_task(task, task.policy_grace.value_or(timings_.default_kill_grace));
  }
}

void CommandExecutor::kill_task(Task& task, Duration grace) {
  if (task.terminal || !task.process) return;
  // Health checking stops while the task is killed (Mesos does the same).
  task.checker.reset();
  if (!task.killed) {
    task.killed = true;
    if (task_killing_state_) send_status(task.id, TaskState::kKilling);
  }
  task.process->kill(grace);
}

void CommandExecutor::finish_task(Task& task, TaskState state, const std::string& message,
                                  std::optional<bool> healthy) {
  if (task.terminal) return;
  task.terminal = true;
  task.checker.reset();
  send_status(task.id, state, message, healthy);
  // Mesos' default executor: a task group lives and dies together.
  if (task.group && !shutting_down_ &&
      (state == TaskState::kFailed || state == TaskState::kKilled)) {
    failed_groups_.insert(*task.group);
    for (auto& [id, other] : tasks_) {
      if (other.group != task.group || other.terminal || other.killed || id == task.id) continue;
      log::info("Killing task {}: task {} of its group is {}", id, task.id,
                mesos::to_string(state));
      kill_task(other, other.policy_grace.value_or(timings_.default_kill_grace));
    }
  }
  check_done();
}

void CommandExecutor::send_status(const std::string& task_id, TaskState state,
                                  const std::string& message, std::optional<bool> healthy,
                                  const std::string& reason) {
  mesos::TaskStatus status;
  status.task_id = task_id;
  status.state = state;
  status.message = message;
  status.source = "SOURCE_EXECUTOR";
  status.reason = reason;
  status.agent_id = agent_id_;
  status.executor_id = env_.executor_id;
  status.timestamp = mesos::now_seconds();
  status.uuid = base64::encode(Uuid::random().bytes());
  status.healthy = healthy;
  client_.update(status.to_json());
}

// --- shutting down ----------------------------------------------------------

void CommandExecutor::begin_shutdown(const std::string& why) {
  if (exit_code_) return;
  if (!shutting_down_) {
    log::info("Shutting down: {}", why);
    shutting_down_ = true;
    shutdown_deadline_ = std::chrono::steady_clock::now() + timings_.default_kill_grace.chrono() +
                         env_.shutdown_grace_period.chrono();
  }
  // Leave the agent time to hear about the kills before its own grace
  // period ends (Mesos: the shutdown grace period less the reap interval
  // and a second).
  Duration grace = env_.shutdown_grace_period - Duration::seconds(2);
  if (grace < Duration()) grace = Duration();
  for (auto& [id, task] : tasks_) {
    if (!task.terminal) kill_task(task, grace);
  }
  check_done();
}

bool CommandExecutor::all_terminal() const {
  for (const auto& [id, task] : tasks_) {
    if (!task.terminal) return false;
  }
  return true;
}

void CommandExecutor::tick() {
  if (exit_code_) return;
  if (signal_flag_ != nullptr && *signal_flag_ != 0 && !shutting_down_) {
    begin_shutdown("received a termination signal");
  }
  check_done();
  if (!exit_code_) tick_timer_ = loop_.after(timings_.tick, [this] { tick(); });
}

void CommandExecutor::check_done() {
  if (exit_code_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool done = all_terminal();
  if (agent_lost_) {
    if (done || now >= *shutdown_deadline_) exit(1, "the agent is gone");
    return;
  }
  if (shutting_down_) {
    const bool delivered = client_.subscribed() && !client_.calls_pending();
    if ((done && (delivered || client_.buffer().empty())) || now >= *shutdown_deadline_) {
      exit(0, done ? "shut down" : "shutdown took too long");
    }
    return;
  }
  if (tasks_.empty() || !done) return;
  if (client_.buffer().empty())
    return exit(0, "every task has ended and its updates were acknowledged");
  if (!all_done_at_) all_done_at_ = now;
  if (now - *all_done_at_ >= timings_.ack_wait.chrono() && client_.subscribed() &&
      !client_.calls_pending()) {
    exit(0, "every task has ended; gave up waiting for acknowledgements");
  }
}

void CommandExecutor::exit(int code, const std::string& why) {
  if (exit_code_) return;
  log::info("Executor exiting with status {}: {}", code, why);
  exit_code_ = code;
  tick_timer_.cancel();
  for (auto& [id, task] : tasks_) {
    task.checker.reset();
    if (task.process && task.process->running()) task.process->kill_now();
  }
  client_.stop();
  loop_.stop();
}

}  // namespace cairn::executor
