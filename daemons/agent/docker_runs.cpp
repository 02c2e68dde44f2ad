// Tasks in Docker containers (ContainerInfo type DOCKER), run through the
// Docker engine's API (lib/docker): the agent creates and starts the
// container with the task's limits, its sandbox mounted at
// /mnt/mesos/sandbox and its ports published, streams the container's
// output into the sandbox, and reports the task's state itself (Mesos'
// docker containerizer and docker executor in one). Containers outlive an
// agent restart; recovery re-attaches to them by name.
#include <fmt/core.h>

#include <thread>

#include "daemons/agent/agent.hpp"
#include "daemons/agent/agent_counters.hpp"
#include "lib/logging/log.hpp"

namespace cairn::agent {

using mesos::id_json;

namespace {

// ContainerInfo.docker → engine settings; the error names the field.
Result<docker::ContainerSpec> docker_spec(const nlohmann::json& task, const ExecutorRun& run,
                                          const std::string& agent_id, bool enable_cfs) {
  docker::ContainerSpec spec;
  const nlohmann::json& container = task.value("container", nlohmann::json::object());
  const nlohmann::json& info = container.value("docker", nlohmann::json::object());
  if (!info.is_object() || !info.contains("image") || !info["image"].is_string() ||
      info["image"].get<std::string>().empty()) {
    return Error("container.docker.image is required for a DOCKER container");
  }
  spec.name = run.docker_name;
  spec.image = info["image"];
  spec.sandbox_dir = run.directory;
  spec.working_dir = std::string(docker::kSandboxMountPoint);
  spec.privileged = info.value("privileged", false);
  std::string network = info.value("network", "HOST");
  if (network == "HOST") spec.network_mode = "host";
  else if (network == "BRIDGE") spec.network_mode = "bridge";
  else if (network == "NONE") spec.network_mode = "none";
  else if (network == "USER") {
    const auto& networks = container.value("network_infos", nlohmann::json::array());
    if (networks.empty() || !networks[0].contains("name")) return Error("container.network_infos[0].name is required with USER networking");
    spec.network_mode = networks[0]["name"];
  } else {
    return Error("container.docker.network must be HOST, BRIDGE, NONE or USER, got '" + network + "'");
  }
  for (const auto& mapping : info.value("port_mappings", nlohmann::json::array())) {
    if (spec.network_mode == "host" || spec.network_mode == "none") {
      return Error("container.docker.port_mappings need BRIDGE or USER networking");
    }
    docker::PortMapping port;
    port.host_port = mapping.value("host_port", 0);
    port.container_port = mapping.value("container_port", 0);
    port.protocol = mapping.value("protocol", "tcp");
    spec.ports.push_back(port);
  }
  spec.environment["MESOS_SANDBOX"] = std::string(docker::kSandboxMountPoint);
  spec.environment["MESOS_TASK_ID"] = task["task_id"].value("value", "");
  spec.environment["MESOS_FRAMEWORK_ID"] = run.framework_id;
  spec.environment["MESOS_AGENT_ID"] = agent_id;
  const nlohmann::json& command = task.value("command", nlohmann::json::object());
  for (const auto& variable : command.value("environment", nlohmann::json::object()).value("variables", nlohmann::json::array())) {
    if (variable.contains("name")) spec.environment[variable["name"]] = variable.value("value", "");
  }
  if (command.contains("value") || command.contains("arguments")) {
    if (command.value("shell", true)) {
      spec.set_shell_command(command.value("value", ""));
    } else {
      if (command.contains("value")) spec.command.push_back(command["value"]);
      for (const auto& a : command.value("arguments", nlohmann::json::array())) {
        if (a.is_string()) spec.command.push_back(a);
      }
    }
  }
  if (command.contains("user")) spec.user = command["user"];
  spec.labels = {{"cairn.agent_id", agent_id},
                 {"cairn.framework_id", run.framework_id},
                 {"cairn.task_id", run.executor_id},
                 {"cairn.container_id", run.container_id}};
  double cpus = run.resources.cpus(), mem = run.resources.mem();
  if (cpus > 0) {
    spec.cpu_shares = static_cast<uint64_t>(std::max(2.0, cpus * 1024));
    if (enable_cfs) {
      spec.cpu_period = Duration::milliseconds(100);
      spec.cpu_quota = Duration::nanoseconds(static_cast<int64_t>(std::max(1.0, cpus * 100.0) * 1e6));
    }
  }
  if (mem > 0) spec.memory_limit = Bytes(static_cast<uint64_t>(mem * 1048576.0));
  return spec;
}

}  // namespace

void Agent::run_docker_task(ExecutorRun& run) {
  AgentTask& task = run.queued.begin()->second;
  Result<docker::ContainerSpec> spec = docker_spec(task.info, run, *agent_id_, options_.flags.cgroups_enable_cfs);
  if (!spec.ok() || docker_ == nullptr) {
    run.limitation_reason = "REASON_CONTAINER_LAUNCH_FAILED";
    run.limitation_message = docker_ == nullptr
                                 ? "The docker containerizer is not enabled on this agent (--containerizers=mesos,docker)"
                                 : spec.error();
    run.state = RunState::kTerminating;
    std::string framework_id = run.framework_id, executor_id = run.executor_id;
    return defer([this, framework_id, executor_id] { executor_terminated(framework_id, executor_id, std::nullopt); });
  }
  run.launched.insert(run.queued.begin(), run.queued.end());
  run.queued.clear();
  checkpoint(run);
  std::string framework_id = run.framework_id, executor_id = run.executor_id;
  std::weak_ptr<bool> alive = alive_;
  workers_.submit(
      [client = docker_, spec = *spec]() -> Result<int> {
        // No registry may be reachable: use a local image, pull only when missing.
        Result<bool> present = client->image_exists(spec.image);
        if (!present.ok()) return Error(present.error());
        if (!*present) {
          Status pulled = client->pull_image(spec.image, Duration::minutes(5));
          if (!pulled.ok()) return Error("image " + spec.image + " is not on this agent and cannot be pulled: " + pulled.error());
        }
        (void)client->remove(spec.name, true);  // a leftover of the same name
        Result<std::string> id = client->create_container(spec);
        if (!id.ok()) return Error(id.error());
        Status started = client->start(spec.name);
        if (!started.ok()) return Error(started.error());
        Result<docker::ContainerState> state = client->inspect(spec.name);
        return state.ok() ? state->pid : 0;
      },
      [this, alive, framework_id, executor_id](Result<int> pid) {
        if (alive.expired()) return;
        ExecutorRun* r = find_run(framework_id, executor_id);
        if (r == nullptr || r->state == RunState::kTerminated) return;
        if (!pid.ok()) {
          r->limitation_reason = "REASON_CONTAINER_LAUNCH_FAILED";
          r->limitation_message = "Failed to launch the Docker container: " + pid.error();
          return executor_terminated(framework_id, executor_id, std::nullopt);
        }
        r->pid = *pid;
        r->state = RunState::kRunning;
        counters_->executors_launched->increment();
        log::info("Started Docker container {} for task {} of framework {}", r->docker_name, executor_id, framework_id);
        for (auto& [task_id, t] : r->launched) {
          mesos::TaskStatus running = agent_status(t, mesos::TaskState::kRunning, "", "");
          running.source = "SOURCE_EXECUTOR";
          status_update(framework_id, running, false);
        }
        watch_docker(*r);
        checkpoint(*r, /*durable=*/true);
      });
}

void Agent::watch_docker(ExecutorRun& run) {
  // wait() and follow_logs() block for the container's life: threads of
  // their own, which stop within a second once docker_stop_ is set.
  std::string framework_id = run.framework_id, executor_id = run.executor_id, name = run.docker_name;
  std::string out = run.directory + "/stdout", err = run.directory + "/stderr";
  std::weak_ptr<bool> alive = alive_;
  auto stop = docker_stop_;
  auto client = docker_;
  EventLoop* loop = &loop_;
  docker_threads_.emplace_back([client, name, out, err, stop] {
    Status logs = client->follow_logs(name, out, err, [stop] { return !stop->load(); });
    if (!logs.ok()) log::debug("logs of {}: {}", name, logs.error());
  });
  docker_threads_.emplace_back([this, client, name, stop, loop, alive, framework_id, executor_id] {
    Result<int> exit = client->wait(name, [stop] { return !stop->load(); });
    if (stop->load()) return;  // the agent is stopping: the container keeps running
    Result<docker::ContainerState> state = client->inspect(name);
    bool oom = state.ok() && state->oom_killed;
    int code = exit.ok() ? *exit : (state.ok() ? state->exit_code : -1);
    loop->post([this, alive, framework_id, executor_id, code, oom, exit_ok = exit.ok()] {
      if (alive.expired()) return;
      docker_exited(framework_id, executor_id, exit_ok ? std::optional<int>(code) : std::nullopt, oom);
    });
  });
}

void Agent::docker_exited(const std::string& framework_id, const std::string& executor_id,
                          std::optional<int> exit_code, bool oom) {
  ExecutorRun* run = find_run(framework_id, executor_id);
  if (run == nullptr || run->state == RunState::kTerminated) return;
  // status_update() moves terminal tasks out of `launched`: iterate a copy.
  std::vector<AgentTask> tasks;
  for (const auto& [task_id, task] : run->launched) tasks.push_back(task);
  for (const AgentTask& task : tasks) {
    if (mesos::is_terminal(task.state)) continue;
    mesos::TaskState state = mesos::TaskState::kFailed;
    std::string reason, message;
    if (oom) {
      reason = "REASON_CONTAINER_LIMITATION_MEMORY";
      message = "Memory limit exceeded: the container was OOM-killed";
    } else if (run->kill_requested) {
      state = mesos::TaskState::kKilled;
      message = "Container stopped";
    } else if (exit_code && *exit_code == 0) {
      state = mesos::TaskState::kFinished;
      message = "Container exited with status 0";
    } else {
      reason = "REASON_COMMAND_EXECUTOR_FAILED";
      message = exit_code ? fmt::format("Container exited with status {}", *exit_code) : "Container is gone";
    }
    mesos::TaskStatus status = agent_status(task, state, reason, message);
    status.source = oom ? "SOURCE_AGENT" : "SOURCE_EXECUTOR";
    status_update(framework_id, status, false);
  }
  run->state = RunState::kTerminated;
  counters_->executors_terminated->increment();
  checkpoint(*run);
  // The sandbox keeps the output; the engine's copy of the container goes.
  workers_.submit([client = docker_, name = run->docker_name] { return client->remove(name, true); },
                  [name = run->docker_name](Status removed) {
                    if (!removed.ok()) log::warning("Cannot remove container {}: {}", name, removed.error());
                  });
}

void Agent::kill_docker(ExecutorRun& run, Duration grace) {
  run.kill_requested = true;
  checkpoint(run);
  workers_.submit([client = docker_, name = run.docker_name, grace] { return client->stop(name, grace); },
                  [name = run.docker_name](Status stopped) {
                    if (!stopped.ok()) log::warning("Cannot stop container {}: {}", name, stopped.error());
                  });
}

void Agent::recover_docker(ExecutorRun& run) {
  if (docker_ == nullptr) {
    run.limitation_message = "The docker containerizer is not enabled any more";
    std::string framework_id = run.framework_id, executor_id = run.executor_id;
    return defer([this, framework_id, executor_id] { executor_terminated(framework_id, executor_id, std::nullopt); });
  }
  Result<docker::ContainerState> state = docker_->inspect(run.docker_name);
  if (state.ok() && state->running && options_.flags.recover == "reconnect") {
    run.state = RunState::kRunning;
    watch_docker(run);
    return;
  }
  if (state.ok() && state->running) {
    run.kill_requested = true;
    (void)docker_->stop(run.docker_name, Duration::seconds(1));
  }
  std::string framework_id = run.framework_id, executor_id = run.executor_id;
  bool oom = state.ok() && state->oom_killed;
  std::optional<int> code = state.ok() ? std::optional<int>(state->exit_code) : std::nullopt;
  defer([this, framework_id, executor_id, code, oom] { docker_exited(framework_id, executor_id, code, oom); });
}

}  // namespace cairn::agent
