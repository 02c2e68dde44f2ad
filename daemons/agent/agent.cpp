#include "daemons/agent/agent.hpp"

#include <signal.h>

#include <filesystem>

#include <fmt/core.h>

#include "daemons/agent/agent_counters.hpp"
#include "lib/process/launch.hpp"
#include "lib/logging/log.hpp"

namespace cairn::agent {

using mesos::id_json;

Agent::Agent(EventLoop& loop, AgentOptions options, metrics::Registry& metrics)
    : loop_(loop),
      options_(std::move(options)),
      metrics_(metrics),
      checkpointer_(options_.flags.work_dir),
      backoff_(options_.flags.registration_backoff_factor),
      counters_(std::make_unique<Counters>()) {
  start_time_ = mesos::now_seconds();
  register_metrics();
}

Agent::~Agent() {
  alive_.reset();
  stop();
}

void Agent::defer(std::function<void()> fn) {
  loop_.post([alive = std::weak_ptr<bool>(alive_), fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

Status Agent::start(uint16_t port) {
  port_ = port;
  client_ = std::make_unique<http::Client>(loop_);
  ContainerizerOptions containerizer_options;
  containerizer_options.isolation = split_list(options_.flags.isolation);
  containerizer_options.cgroups_root = options_.flags.cgroups_root;
  containerizer_options.cgroups_enable_cfs = options_.flags.cgroups_enable_cfs;
  if (containerizer_options.isolation.count("filesystem/shared")) {
    std::error_code ec;
    std::string work_dir = std::filesystem::weakly_canonical(options_.flags.work_dir, ec).string();
    if (work_dir == "/tmp" || work_dir.rfind("/tmp/", 0) == 0) {
      return Error("--isolation=filesystem/shared mounts a private /tmp over /tmp, which would hide "
                   "--work_dir=" + options_.flags.work_dir + ": put the work dir elsewhere (e.g. /var/lib/cairn)");
    }
  }
  Result<std::unique_ptr<Containerizer>> containerizer = make_mesos_containerizer(containerizer_options);
  if (!containerizer.ok()) return Error("--isolation: " + containerizer.error());
  containerizer_ = std::move(containerizer).value();
  fetcher::FetcherOptions fetcher_options;
  fetcher_options.cache_dir = options_.flags.fetcher_cache_dir;
  fetcher_ = std::make_shared<fetcher::Fetcher>(fetcher_options);
  if (split_list(options_.flags.containerizers).count("docker")) {
    docker::DockerClientOptions docker_options;
    docker_options.socket_path = options_.flags.docker_socket;
    docker_ = std::make_shared<docker::DockerClient>(docker_options);
    Result<docker::VersionInfo> version = docker_->version();
    if (!version.ok()) return Error("--containerizers=docker: " + version.error());
  }

  Status recovered = recover();
  if (!recovered.ok()) {
    if (options_.flags.strict) return Error("recovery failed (--strict): " + recovered.error());
    counters_->recovery_errors->increment();
    log::error("Recovery failed, continuing without the broken checkpoints (--strict=false): {}",
               recovered.error());
  }
  // The detector reports the master (a fixed one at once, from the loop);
  // leader_changed() then registers.
  Result<std::unique_ptr<detector::MasterDetector>> detector = detector::MasterDetector::create(
      loop_, options_.master_url, options_.flags.zk_session_timeout,
      [this](std::optional<std::string> url) { leader_changed(std::move(url)); });
  if (!detector.ok()) return Error(detector.error());
  detector_ = std::move(detector).value();
  if (detector_->follows_zookeeper()) {
    log::info("Following the leading master elected in {}", detector_->source());
  }
  executor_check_timer_ = loop_.after(options_.executor_check_interval, [this] { check_executors(); });
  return ok_status();
}

void Agent::stop() {
  stopping_ = true;
  detector_.reset();
  reconnect_timer_.cancel();
  executor_check_timer_.cancel();
  update_timers_.clear();
  gc_timers_.clear();
  if (master_stream_) master_stream_->cancel();
  master_stream_ = nullptr;
  for (auto& [fid, framework] : frameworks_) {
    for (auto& [eid, run] : framework.executors) {
      run.registration_timer.cancel();
      if (run.stream) run.stream->close();
      run.stream = nullptr;
    }
  }
  client_.reset();
  checkpointer_.flush();
  docker_stop_->store(true);
  for (std::thread& t : docker_threads_) {
    if (t.joinable()) t.join();
  }
  docker_threads_.clear();
}

Status Agent::recover() {
  Result<std::optional<RecoveredAgent>> agent = checkpointer_.recover_agent();
  if (!agent.ok()) return Error(agent.error());
  if (!*agent) return ok_status();  // first start
  agent_id_ = (*agent)->agent_id;
  // Reservations made through the API live in the checkpointed AgentInfo.
  if ((*agent)->info.contains("resources")) {
    Result<Resources> checkpointed = Resources::from_json((*agent)->info["resources"]);
    if (checkpointed.ok() && !checkpointed->reserved().filter([](const Resource& r) {
                                return r.is_dynamically_reserved();
                              }).empty()) {
      options_.resources = *checkpointed;
    }
  }
  Result<std::vector<RecoveredRun>> runs = checkpointer_.recover_runs(*agent_id_);
  if (!runs.ok()) return Error(runs.error());
  size_t live = 0;
  for (RecoveredRun& recovered : *runs) {
    ExecutorRun run = std::move(recovered.run);
    for (PendingUpdate& update : recovered.updates) {
      pending_updates_[{update.framework_id, update.status.task_id}].push_back(std::move(update));
    }
    AgentFramework& framework = frameworks_[run.framework_id];
    framework.id = run.framework_id;
    framework.info = run.framework_info;
    std::string framework_id = run.framework_id, executor_id = run.executor_id;
    if (run.state == RunState::kTerminated) {
      framework.completed.push_back(std::move(run));
      continue;
    }
    if (run.docker) {
      ExecutorRun& placed = framework.executors[executor_id] = std::move(run);
      recover_docker(placed);
      ++live;
      continue;
    }
    bool alive = process::process_alive(run.pid, false);
    ExecutorRun& placed = framework.executors[executor_id] = std::move(run);
    placed.child = false;
    if (alive && options_.flags.recover == "reconnect") {
      Status reattached = containerizer_->recover(placed.container_id, placed.pid, placed.resources);
      if (!reattached.ok()) log::warning("Container {}: {}", placed.container_id, reattached.error());
      placed.state = RunState::kRegistering;
      ++live;
      // The executor retries its subscription for --recovery_timeout.
      placed.registration_timer = loop_.after(options_.flags.executor_registration_timeout, [this, framework_id, executor_id] {
        ExecutorRun* r = find_run(framework_id, executor_id);
        if (r == nullptr || r->state != RunState::kRegistering) return;
        r->limitation_reason = "REASON_EXECUTOR_REREGISTRATION_TIMEOUT";
        r->limitation_message = "Executor did not reconnect after the agent restarted";
        containerizer_->destroy(r->container_id, r->pid);
      });
    } else if (alive) {
      placed.limitation_reason = "REASON_AGENT_RECOVERY_CLEANUP";
      placed.limitation_message = "Killed by the agent's --recover=cleanup";
      containerizer_->destroy(placed.container_id, placed.pid);
      defer([this, framework_id, executor_id] { executor_terminated(framework_id, executor_id, std::nullopt); });
    } else {
      placed.limitation_message = "Executor terminated while the agent was down";
      defer([this, framework_id, executor_id] { executor_terminated(framework_id, executor_id, std::nullopt); });
    }
  }
  log::info("Recovered agent {}: {} live executors, {} unacknowledged updates", *agent_id_, live,
            pending_updates_.size());
  return ok_status();
}

void Agent::check_executors() {
  std::vector<std::tuple<std::string, std::string, std::optional<int>>> gone;
  for (auto& [fid, framework] : frameworks_) {
    for (auto& [eid, run] : framework.executors) {
      if (run.state == RunState::kTerminated || run.state == RunState::kLaunching || run.docker) continue;
      int status = 0;
      if (!process::process_alive(run.pid, run.child, &status)) {
        gone.emplace_back(fid, eid, run.child ? std::optional<int>(status) : std::nullopt);
        continue;
      }
      // A memory limit hit while the executor lives on (the kernel killed
      // a task process): Mesos destroys the container and says why.
      if (std::optional<Limitation> limitation = containerizer_->limitation(run.container_id)) {
        run.limitation_reason = limitation->reason;
        run.limitation_message = limitation->message;
        containerizer_->destroy(run.container_id, run.pid);
      }
    }
  }
  for (const auto& [fid, eid, status] : gone) executor_terminated(fid, eid, status);
  executor_check_timer_ = loop_.after(options_.executor_check_interval, [this] { check_executors(); });
}

ExecutorRun* Agent::find_run(const std::string& framework_id, const std::string& executor_id) {
  auto framework = frameworks_.find(framework_id);
  if (framework == frameworks_.end()) return nullptr;
  auto run = framework->second.executors.find(executor_id);
  return run == framework->second.executors.end() ? nullptr : &run->second;
}

void Agent::checkpoint(const ExecutorRun& run, bool durable) {
  if (!agent_id_) return;
  std::vector<PendingUpdate> updates;
  auto collect = [&](const std::string& task_id) {
    auto it = pending_updates_.find({run.framework_id, task_id});
    if (it != pending_updates_.end()) updates.insert(updates.end(), it->second.begin(), it->second.end());
  };
  for (const auto& [id, t] : run.queued) collect(id);
  for (const auto& [id, t] : run.launched) collect(id);
  for (const auto& t : run.terminated) collect(t.task_id);
  checkpointer_.save_run(*agent_id_, run, updates);
  if (durable) checkpointer_.flush();
}

nlohmann::json Agent::agent_info() const {
  nlohmann::json info{{"hostname", options_.hostname},
                      {"ip", options_.advertised_ip},
                      {"port", port_},
                      {"resources", options_.resources.to_json(ResourceFormat::kPostRefinement)}};
  if (!options_.attributes.empty()) info["attributes"] = options_.attributes.to_json();
  if (agent_id_) info["id"] = id_json(*agent_id_);
  return info;
}

void Agent::register_metrics() {
  auto counter = [this](const std::string& name) {
    auto c = metrics_.counter(name);
    return c.ok() ? *c : std::make_shared<metrics::Counter>();
  };
  counters_->tasks_received = counter("slave/tasks_received");
  counters_->executors_launched = counter("slave/executors_launched");
  counters_->executors_terminated = counter("slave/executors_terminated");
  counters_->valid_status_updates = counter("slave/valid_status_updates");
  counters_->invalid_status_updates = counter("slave/invalid_status_updates");
  counters_->tasks_finished = counter("slave/tasks_finished");
  counters_->tasks_failed = counter("slave/tasks_failed");
  counters_->tasks_killed = counter("slave/tasks_killed");
  counters_->tasks_lost = counter("slave/tasks_lost");
  counters_->recovery_errors = counter("slave/recovery_errors");
  auto gauge = [this](const std::string& name, metrics::GaugeCallback fn) {
    Status st = metrics_.gauge(name, "", std::move(fn));
    if (!st.ok()) log::warning("metric {}: {}", name, st.error());
  };
  gauge("slave/registered", [this] { return registered_ ? 1.0 : 0.0; });
  gauge("slave/uptime_secs", [this] { return mesos::now_seconds() - start_time_; });
  auto count_tasks = [this](auto predicate) {
    return [this, predicate]() -> std::optional<double> {
      double n = 0;
      for (const auto& [fid, f] : frameworks_) {
        for (const auto& [eid, run] : f.executors) {
          for (const auto& [tid, t] : run.queued) n += predicate(t.state) ? 1 : 0;
          for (const auto& [tid, t] : run.launched) n += predicate(t.state) ? 1 : 0;
        }
      }
      return n;
    };
  };
  using mesos::TaskState;
  gauge("slave/tasks_staging", count_tasks([](TaskState s) { return s == TaskState::kStaging; }));
  gauge("slave/tasks_starting", count_tasks([](TaskState s) { return s == TaskState::kStarting; }));
  gauge("slave/tasks_running", count_tasks([](TaskState s) { return s == TaskState::kRunning; }));
  gauge("slave/tasks_killing", count_tasks([](TaskState s) { return s == TaskState::kKilling; }));
  gauge("slave/executors_running", [this]() -> std::optional<double> {
    double n = 0;
    for (const auto& [fid, f] : frameworks_) {
      for (const auto& [eid, run] : f.executors) n += run.state == RunState::kRunning ? 1 : 0;
    }
    return n;
  });
  gauge("slave/frameworks_active", [this] { return double(frameworks_.size()); });
  for (const char* name : {"cpus", "mem", "disk", "gpus"}) {
    std::string resource = name;
    gauge("slave/" + resource + "_total", [this, resource] { return options_.resources.scalar(resource); });
    gauge("slave/" + resource + "_used", [this, resource] {
      double used = 0;
      for (const auto& [fid, f] : frameworks_) {
        for (const auto& [eid, run] : f.executors) {
          if (run.state != RunState::kTerminated) used += run.resources.scalar(resource);
        }
      }
      return used;
    });
  }
}

}  // namespace cairn::agent
