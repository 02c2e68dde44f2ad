// Running what the master asks for: executors in containers, tasks handed
// to them once they subscribe, kills and shutdowns, and what happens when
// an executor goes away.
#include <fmt/core.h>
#include <signal.h>

#include <filesystem>

#include "daemons/agent/agent.hpp"
#include "daemons/agent/agent_counters.hpp"
#include "daemons/agent/fetcher/fetcher.hpp"
#include "lib/base/uuid.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::agent {

using mesos::id_json;

namespace {

Resources resources_of(const nlohmann::json& info) {
  if (!info.is_object() || !info.contains("resources")) return {};
  Result<Resources> r = Resources::from_json(info["resources"]);
  return r.ok() ? *r : Resources();
}

std::string id_value(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_object()) return "";
  return object[key].value("value", "");
}

}  // namespace

mesos::TaskStatus Agent::agent_status(const AgentTask& task, mesos::TaskState state,
                                      const std::string& reason, const std::string& message) const {
  mesos::TaskStatus status;
  status.task_id = task.task_id;
  status.state = state;
  status.reason = reason;
  status.message = message;
  status.source = "SOURCE_AGENT";
  status.executor_id = task.executor_id;
  status.agent_id = agent_id_;
  status.timestamp = mesos::now_seconds();
  return status;
}

void Agent::run_task(const nlohmann::json& framework_info, const nlohmann::json& task,
                     const nlohmann::json& executor_info, const nlohmann::json& task_group) {
  std::string framework_id = id_value(framework_info, "id");
  if (framework_id.empty() || !agent_id_) {
    log::warning("Ignoring a task without a framework id");
    return;
  }
  AgentFramework& framework = frameworks_[framework_id];
  framework.id = framework_id;
  framework.info = framework_info;

  std::vector<nlohmann::json> infos;
  if (!task_group.is_null()) {
    for (const auto& t : task_group.value("tasks", nlohmann::json::array())) infos.push_back(t);
  } else {
    infos.push_back(task);
  }
  nlohmann::json executor = executor_info;
  bool command_executor = false;
  if (executor.is_null()) {
    // A command task runs under cairn-executor, with the task's id as the
    // executor id (Mesos' command executor).
    std::string task_id = id_value(task, "task_id");
    command_executor = true;
    executor = {{"executor_id", id_json(task_id)},
                {"framework_id", id_json(framework_id)},
                {"name", "Command Executor (Task: " + task_id + ")"},
                {"source", task_id},
                {"command", {{"value", options_.executor_path}, {"shell", false}}}};
  }
  std::string executor_id = id_value(executor, "executor_id");
  auto existing = framework.executors.find(executor_id);
  if (existing != framework.executors.end() && existing->second.state == RunState::kTerminated) {
    framework.completed.push_back(std::move(existing->second));
    framework.executors.erase(existing);
  }
  bool fresh = !framework.executors.count(executor_id);
  ExecutorRun& run = framework.executors[executor_id];
  if (fresh) {
    run.framework_id = framework_id;
    run.executor_id = executor_id;
    run.container_id = Uuid::random().to_string();
    run.executor_info = executor;
    run.framework_info = framework_info;
    run.command_executor = command_executor;
    run.directory = checkpointer_.sandbox_dir(*agent_id_, framework_id, executor_id, run.container_id);
    run.resources = resources_of(executor);
  }
  for (const nlohmann::json& info : infos) {
    AgentTask t;
    t.task_id = id_value(info, "task_id");
    t.framework_id = framework_id;
    t.executor_id = executor_id;
    t.info = info;
    t.resources = resources_of(info);
    run.resources += t.resources;
    if (task_group.is_null()) run.queued.emplace(t.task_id, t);
    else run.launched.emplace(t.task_id, t);  // sent as one LAUNCH_GROUP below
  }
  if (!task_group.is_null()) {
    if (run.queued_group.is_null()) run.queued_group = {{"tasks", nlohmann::json::array()}};
    for (const auto& t : infos) run.queued_group["tasks"].push_back(t);
  }
  counters_->tasks_received->increment(infos.size());
  if (fresh && task_group.is_null() && executor_info.is_null() && task.is_object() &&
      task.value("container", nlohmann::json::object()).value("type", "") == "DOCKER") {
    run.docker = true;
    run.command_executor = false;
    run.docker_name = docker::mesos_container_name(run.container_id);
    std::error_code ec;
    std::filesystem::create_directories(run.directory, ec);
    run_docker_task(run);
  } else if (fresh) {
    launch_executor(run);
  } else {
    Status updated = containerizer_->update(run.container_id, run.resources);
    if (!updated.ok()) log::warning("Cannot update limits of {}: {}", run.container_id, updated.error());
    if (run.state == RunState::kRunning) send_queued_tasks(run);
    checkpoint(run);
  }
}

void Agent::launch_executor(ExecutorRun& run) {
  // The URIs to fetch: the executor's, or the task's for a command task
  // (Mesos fetches them into the executor's sandbox), or every task's of a
  // task group.
  std::vector<nlohmann::json> uris;
  auto collect = [&](const nlohmann::json& command) {
    if (command.is_object()) {
      for (const auto& uri : command.value("uris", nlohmann::json::array())) uris.push_back(uri);
    }
  };
  if (run.command_executor) {
    for (const auto& [id, task] : run.queued) collect(task.info.value("command", nlohmann::json()));
  } else {
    collect(run.executor_info.value("command", nlohmann::json()));
    if (!run.queued_group.is_null()) {
      for (const auto& t : run.queued_group.value("tasks", nlohmann::json::array())) {
        collect(t.value("command", nlohmann::json()));
      }
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(run.directory, ec);
  if (ec) {
    log::error("Cannot create sandbox {}: {}", run.directory, ec.message());
  } else {
    // executors/<ex>/runs/latest → this run, as Mesos links it.
    std::filesystem::path latest = std::filesystem::path(run.directory).parent_path() / "latest";
    std::filesystem::remove(latest, ec);
    std::filesystem::create_directory_symlink(run.container_id, latest, ec);
  }

  if (uris.empty()) return start_executor(run);
  std::vector<fetcher::FetchUri> fetch_list;
  for (size_t i = 0; i < uris.size(); ++i) {
    Result<fetcher::FetchUri> uri = fetcher::FetchUri::from_json(uris[i], "command.uris[" + std::to_string(i) + "]");
    if (!uri.ok()) {
      run.limitation_reason = "REASON_CONTAINER_LAUNCH_FAILED";
      run.limitation_message = "Invalid URI: " + uri.error();
      run.state = RunState::kTerminating;
      std::string framework_id = run.framework_id, executor_id = run.executor_id;
      return defer([this, framework_id, executor_id] { executor_terminated(framework_id, executor_id, std::nullopt); });
    }
    fetch_list.push_back(*uri);
  }
  // Downloads block: they run on the worker pool; the launch continues on
  // the loop once they are done.
  std::string framework_id = run.framework_id, executor_id = run.executor_id, directory = run.directory;
  std::weak_ptr<bool> alive = alive_;
  workers_.submit(
      [fetcher = fetcher_, fetch_list, directory] { return fetcher->fetch(fetch_list, directory, ""); },
      [this, alive, framework_id, executor_id, directory](Result<fetcher::FetchReport> report) {
        if (alive.expired()) return;
        ExecutorRun* r = find_run(framework_id, executor_id);
        if (r == nullptr || r->state != RunState::kLaunching) return;
        FILE* log = std::fopen((directory + "/stderr").c_str(), "a");
        if (log != nullptr) {
          std::string text = report.ok() ? report->to_text() : "Failed to fetch: " + report.error() + "\n";
          std::fwrite(text.data(), 1, text.size(), log);
          std::fclose(log);
        }
        if (!report.ok()) {
          r->limitation_reason = "REASON_CONTAINER_LAUNCH_FAILED";
          r->limitation_message = "Failed to fetch the task's URIs: " + report.error();
          r->state = RunState::kTerminating;
          return executor_terminated(framework_id, executor_id, std::nullopt);
        }
        start_executor(*r);
      });
}

void Agent::start_executor(ExecutorRun& run) {
  std::map<std::string, std::string> env;
  const char* path = ::getenv("PATH");
  env["PATH"] = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  env["MESOS_FRAMEWORK_ID"] = run.framework_id;
  env["MESOS_EXECUTOR_ID"] = run.executor_id;
  env["MESOS_DIRECTORY"] = run.directory;
  env["MESOS_SANDBOX"] = run.directory;
  env["MESOS_SLAVE_ID"] = *agent_id_;
  env["MESOS_AGENT_ID"] = *agent_id_;
  env["MESOS_AGENT_ENDPOINT"] = fmt::format("{}:{}", options_.advertised_ip, port_);
  env["MESOS_SLAVE_PID"] = fmt::format("slave(1)@{}:{}", options_.advertised_ip, port_);
  // Cairn executors always ride out agent restarts (the agent checkpoints
  // every run), so they get a recovery timeout either way.
  env["MESOS_CHECKPOINT"] = "1";
  env["MESOS_RECOVERY_TIMEOUT"] = options_.flags.recovery_timeout.to_string();
  env["MESOS_SUBSCRIPTION_BACKOFF_MAX"] = "2secs";
  env["MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD"] = options_.flags.executor_shutdown_grace_period.to_string();
  env["MESOS_HTTP_COMMAND_EXECUTOR"] = run.command_executor ? "1" : "0";
  auto allocations = run.resources.allocations();
  if (!allocations.empty()) env["MESOS_ALLOCATION_ROLE"] = allocations.begin()->first;

  std::vector<std::string> argv;
  const nlohmann::json& command = run.executor_info.value("command", nlohmann::json::object());
  if (command.is_object()) {
    for (const auto& variable : command.value("environment", nlohmann::json::object())
                                    .value("variables", nlohmann::json::array())) {
      if (variable.contains("name")) env[variable["name"]] = variable.value("value", "");
    }
    std::string value = command.value("value", "");
    if (command.value("shell", true)) {
      argv = {"/bin/sh", "-c", value};
    } else {
      argv.push_back(value);
      for (const auto& a : command.value("arguments", nlohmann::json::array())) {
        if (a.is_string()) argv.push_back(a);
      }
      if (argv.size() > 1) argv.erase(argv.begin() + 1);  // arguments[0] is argv[0] in Mesos
    }
  }
  ContainerLaunch launch{run.container_id, run.directory, argv, env, run.resources};
  run.launched_at = mesos::now_seconds();
  Result<pid_t> pid = argv.empty() || argv[0].empty() ? Result<pid_t>(Error("the executor has no command"))
                                                      : containerizer_->launch(launch);
  if (!pid.ok()) {
    log::error("Cannot launch executor {} of framework {}: {}", run.executor_id, run.framework_id,
               pid.error());
    run.limitation_reason = "REASON_CONTAINER_LAUNCH_FAILED";
    run.limitation_message = "Failed to launch the container: " + pid.error();
    run.state = RunState::kTerminating;
    std::string framework_id = run.framework_id, executor_id = run.executor_id;
    defer([this, framework_id, executor_id] { executor_terminated(framework_id, executor_id, std::nullopt); });
    return;
  }
  run.pid = *pid;
  run.child = true;
  run.state = RunState::kRegistering;
  counters_->executors_launched->increment();
  log::info("Launched executor {} of framework {} in container {} (pid {})", run.executor_id,
            run.framework_id, run.container_id, run.pid);
  std::string framework_id = run.framework_id, executor_id = run.executor_id;
  run.registration_timer = loop_.after(options_.flags.executor_registration_timeout, [this, framework_id, executor_id] {
    ExecutorRun* r = find_run(framework_id, executor_id);
    if (r == nullptr || r->state != RunState::kRegistering) return;
    r->limitation_reason = "REASON_EXECUTOR_REGISTRATION_TIMEOUT";
    r->limitation_message = "Executor did not subscribe within " +
                            options_.flags.executor_registration_timeout.to_string();
    containerizer_->destroy(r->container_id, r->pid);
  });
  checkpoint(run, /*durable=*/true);
}

void Agent::send_queued_tasks(ExecutorRun& run) {
  if (!run.stream) return;
  for (auto& [task_id, task] : run.queued) {
    run.stream->send({{"type", "LAUNCH"}, {"launch", {{"task", task.info}}}});
    run.launched.emplace(task_id, task);
  }
  run.queued.clear();
  if (!run.queued_group.is_null()) {
    run.stream->send({{"type", "LAUNCH_GROUP"}, {"launch_group", {{"task_group", run.queued_group}}}});
    run.queued_group = nlohmann::json();
  }
  checkpoint(run);
}

void Agent::kill_task(const std::string& framework_id, const std::string& task_id,
                      const nlohmann::json& kill_policy) {
  auto framework = frameworks_.find(framework_id);
  if (framework == frameworks_.end()) return;
  for (auto& [executor_id, run] : framework->second.executors) {
    auto queued = run.queued.find(task_id);
    if (queued != run.queued.end()) {
      // Never reached the executor: killed here.
      AgentTask task = queued->second;
      status_update(framework_id, agent_status(task, mesos::TaskState::kKilled, "", "Killed before it was launched"),
                    false);
      if (run.queued.empty() && run.launched.empty()) shutdown_executor(run, "its only task was killed");
      return;
    }
    if (run.launched.count(task_id) && run.docker) {
      Duration grace = options_.flags.executor_shutdown_grace_period;
      if (kill_policy.is_object() && kill_policy.contains("grace_period")) {
        grace = Duration::nanoseconds(kill_policy["grace_period"].value("nanoseconds", int64_t{0}));
      }
      kill_docker(run, grace);
      return;
    }
    if (run.launched.count(task_id)) {
      nlohmann::json kill{{"task_id", id_json(task_id)}};
      if (!kill_policy.is_null()) kill["kill_policy"] = kill_policy;
      if (run.stream) {
        run.stream->send({{"type", "KILL"}, {"kill", kill}});
      } else {
        // The executor is not connected (yet): it cannot kill gracefully.
        log::warning("Executor {} is not connected; destroying its container to kill task {}", executor_id, task_id);
        containerizer_->destroy(run.container_id, run.pid);
      }
      return;
    }
  }
  log::info("Kill of unknown task {} of framework {} ignored", task_id, framework_id);
}

void Agent::shutdown_executor(ExecutorRun& run, const std::string& why) {
  if (run.state == RunState::kTerminated) return;
  log::info("Shutting down executor {} of framework {}: {}", run.executor_id, run.framework_id, why);
  if (run.docker) return kill_docker(run, options_.flags.executor_shutdown_grace_period);
  run.state = RunState::kTerminating;
  if (run.stream) run.stream->send({{"type", "SHUTDOWN"}});
  std::string framework_id = run.framework_id, executor_id = run.executor_id;
  Duration grace = run.stream ? options_.flags.executor_shutdown_grace_period + Duration::seconds(1)
                              : Duration::milliseconds(0);
  run.registration_timer = loop_.after(grace, [this, framework_id, executor_id] {
    ExecutorRun* r = find_run(framework_id, executor_id);
    if (r != nullptr && r->state != RunState::kTerminated) containerizer_->destroy(r->container_id, r->pid);
  });
}

void Agent::shutdown_framework(const std::string& framework_id, const std::string& why) {
  auto framework = frameworks_.find(framework_id);
  if (framework == frameworks_.end()) return;
  for (auto& [executor_id, run] : framework->second.executors) {
    run.limitation_reason = "REASON_FRAMEWORK_REMOVED";
    shutdown_executor(run, why);
  }
  // Updates of a removed framework will never be acknowledged.
  for (auto it = pending_updates_.begin(); it != pending_updates_.end();) {
    if (it->first.first == framework_id) {
      update_timers_.erase(it->first);
      it = pending_updates_.erase(it);
    } else {
      ++it;
    }
  }
}

void Agent::executor_terminated(const std::string& framework_id, const std::string& executor_id,
                                std::optional<int> wait_status) {
  ExecutorRun* run = find_run(framework_id, executor_id);
  if (run == nullptr || run->state == RunState::kTerminated) return;
  run->registration_timer.cancel();
  if (std::optional<Limitation> limitation = containerizer_->limitation(run->container_id)) {
    run->limitation_reason = limitation->reason;
    run->limitation_message = limitation->message;
  }
  containerizer_->destroy(run->container_id, run->pid);
  run->state = RunState::kTerminated;
  if (run->stream) run->stream->close();
  run->stream = nullptr;
  counters_->executors_terminated->increment();

  std::string exit_text = "Executor terminated";
  int exit_status = -1;
  if (wait_status) {
    exit_status = *wait_status;
    if (WIFEXITED(*wait_status)) exit_text = fmt::format("Executor exited with status {}", WEXITSTATUS(*wait_status));
    if (WIFSIGNALED(*wait_status)) exit_text = fmt::format("Executor terminated by signal {}", strsignal(WTERMSIG(*wait_status)));
  }
  log::info("Executor {} of framework {} is gone: {}{}", executor_id, framework_id, exit_text,
            run->limitation_message.empty() ? "" : " (" + run->limitation_message + ")");

  // Tasks that did not finish get a terminal update from the agent.
  std::vector<AgentTask> unfinished;
  for (auto& [id, task] : run->queued) unfinished.push_back(task);
  for (auto& [id, task] : run->launched) {
    if (!mesos::is_terminal(task.state)) unfinished.push_back(task);
  }
  for (const AgentTask& task : unfinished) {
    mesos::TaskState state = mesos::TaskState::kFailed;
    std::string reason = run->limitation_reason.empty() ? "REASON_EXECUTOR_TERMINATED" : run->limitation_reason;
    std::string message = run->limitation_message.empty() ? exit_text : run->limitation_message;
    if (run->limitation_reason == "REASON_FRAMEWORK_REMOVED") {
      state = mesos::TaskState::kKilled;
      message = "The framework was torn down";
    } else if (run->limitation_reason == "REASON_AGENT_RECOVERY_CLEANUP") {
      state = mesos::TaskState::kKilled;
    }
    status_update(framework_id, agent_status(task, state, reason, message), false);
  }
  call_master({{"type", "EXECUTOR_EXITED"},
               {"executor_exited",
                {{"framework_id", id_json(framework_id)},
                 {"executor_id", id_json(executor_id)},
                 {"status", exit_status}}}});
  checkpoint(*run);
  // The sandbox stays for --gc_delay so its files can be read.
  std::string directory = run->directory;
  gc_timers_[directory] = loop_.after(options_.flags.gc_delay, [this, directory] {
    std::error_code ec;
    std::filesystem::remove_all(directory, ec);
    gc_timers_.erase(directory);
  });
}

}  // namespace cairn::agent
