// The Mesos v1 scheduler API: POST /api/v1/scheduler.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include "daemons/master/master.hpp"
#include "daemons/master/master_counters.hpp"
#include "lib/base/uuid.hpp"
#include "lib/http/api_call.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::master {

using mesos::id_json;
using mesos::SchedulerCall;

void Master::handle_scheduler_call(http::Request request, http::Responder responder) {
  if (!recovered_) return responder.respond(http::text_response(503, "Master is recovering"));
  http::ApiCallCheck check = http::check_api_call(request);
  if (!check.format) return responder.respond(std::move(check.error));

  Result<SchedulerCall> call = mesos::parse_scheduler_call(request.body);
  if (!call.ok()) {
    counters_->invalid_scheduler_calls->increment();
    return responder.respond(http::text_response(400, "Failed to validate scheduler::Call: " +
                                                          call.error()));
  }
  if (call->type == "SUBSCRIBE") {
    if (request.header("Mesos-Stream-Id")) {
      return responder.respond(http::text_response(
          400, "Subscribe calls should not include the 'Mesos-Stream-Id' header"));
    }
    return subscribe(*call, std::move(responder), check.format->recordio);
  }
  responder.respond(framework_call(*call, request));
}

void Master::subscribe(const SchedulerCall& call, http::Responder responder, bool recordio) {
  mesos::FrameworkInfo info = *call.framework_info;
  if (options_.whitelisted_roles) {
    for (const std::string& role : info.roles) {
      const auto& allowed = *options_.whitelisted_roles;
      if (std::find(allowed.begin(), allowed.end(), role) == allowed.end()) {
        return responder.respond(http::text_response(
            400, "Role '" + role + "' is not present in the master's --roles"));
      }
    }
  }
  if (info.id) {
    for (const CompletedFramework& done : completed_frameworks_) {
      if (done.id == *info.id) {
        return responder.respond(
            http::text_response(403, "Framework " + *info.id + " has been torn down"));
      }
    }
  }

  const bool known = info.id && frameworks_.count(*info.id) > 0;
  std::string id = info.id ? *info.id : next_framework_id();
  info.id = id;
  if (!registered_frameworks_.count(id)) {
    // The registry learns of a framework before the framework hears
    // SUBSCRIBED, so that a master elected later knows it too.
    nlohmann::json stored = info.to_json();
    SchedulerCall admitted = call;
    admitted.framework_info->id = id;
    registry_->apply(
        [id, stored](RegistryState& state) { state.frameworks[id] = stored; },
        [this, alive = std::weak_ptr<bool>(alive_), admitted, responder, recordio, id,
         stored](Status written) mutable {
          if (alive.expired()) return;
          if (!written.ok()) {
            return responder.respond(
                http::text_response(503, "Cannot record the framework: " + written.error()));
          }
          registered_frameworks_[id] = stored;
          subscribe(admitted, std::move(responder), recordio);
        });
    return;
  }
  recovering_frameworks_.erase(id);  // back after a failover
  Framework& framework = frameworks_[id];
  const double now = mesos::now_seconds();
  if (!known) {
    framework.id = id;
    framework.registered_time = now;
  } else {
    // Failover: the old connection gets an ERROR and is closed (Mesos), and
    // outstanding offers go back so the new instance gets fresh ones.
    framework.failover.cancel();
    if (framework.stream) {
      framework.stream->send({{"type", "ERROR"}, {"error", {{"message", "Framework failed over"}}}});
      framework.stream->close();
      framework.stream = nullptr;
    }
    std::set<std::string> offers = framework.offers;
    for (const std::string& offer : offers) rescind_offer(offer, true, std::nullopt);
    framework.reregistered_time = now;
    framework.unregistered_time.reset();
  }
  const bool recovered = known && framework.recovered;
  framework.recovered = false;
  framework.info = info;
  framework.suppressed_roles = {call.suppressed_roles.begin(), call.suppressed_roles.end()};

  if (info.principal && !counters_->per_principal.count(*info.principal)) {
    auto received = metrics_.counter("frameworks/" + *info.principal + "/messages_received");
    auto processed = metrics_.counter("frameworks/" + *info.principal + "/messages_processed");
    if (received.ok() && processed.ok()) {
      counters_->per_principal[*info.principal] = {*received, *processed};
    }
  }
  if (info.principal && counters_->per_principal.count(*info.principal)) {
    framework.calls_received = counters_->per_principal[*info.principal].first;
    framework.calls_processed = counters_->per_principal[*info.principal].second;
  }

  http::Response head(200, recordio ? "application/recordio" : "application/json", "");
  if (recordio) head.headers.set("Message-Content-Type", "application/json");
  std::string stream_id = Uuid::random().to_string();
  head.headers.set("Mesos-Stream-Id", stream_id);
  std::shared_ptr<http::StreamWriter> writer = responder.stream(std::move(head));
  if (writer == nullptr) return;
  framework.stream = std::make_shared<http::EventStream>(writer, stream_id);
  framework.active = true;
  writer->on_close([this, id, stream_id] {
    // Called from the server; defer so that state is not changed under a
    // caller that is iterating (e.g. stop()).
    defer([this, id, stream_id] {
      Framework* f = find_framework(id);
      if (f != nullptr && f->stream && f->stream->id() == stream_id) disconnect_framework(id);
    });
  });

  AllocatorFramework allocator_view{info.roles, framework.suppressed_roles};
  if (!known || recovered) {
    std::map<std::string, Resources> used;
    for (const auto& [task_id, task] : framework.tasks) used[task.agent_id] += task.resources;
    if (known) allocator_->remove_framework(id);
    allocator_->add_framework(id, allocator_view, used);
  } else {
    allocator_->update_framework(id, allocator_view);
    allocator_->activate_framework(id);
  }
  log::info("Framework {} ({}) {} with roles {} (principal {})", id, info.name,
            known ? "re-subscribed" : "subscribed", fmt::join(info.roles, ","),
            info.principal.value_or("none"));

  send_to_framework(framework,
                    {{"type", "SUBSCRIBED"},
                     {"subscribed",
                      {{"framework_id", id_json(id)},
                       {"heartbeat_interval_seconds", options_.flags.heartbeat_interval.secs()},
                       {"master_info", master_info()}}}});
  schedule_heartbeat(framework);
  broadcast_operator_event({{"type", "FRAMEWORK_ADDED"},
                            {"framework_added", {{"framework", framework_v1(framework)}}}});
  schedule_allocation();
}

void Master::schedule_heartbeat(Framework& framework) {
  std::string id = framework.id;
  framework.heartbeat = loop_.after(options_.flags.heartbeat_interval, [this, id] {
    Framework* f = find_framework(id);
    if (f == nullptr || !f->stream) return;
    send_to_framework(*f, {{"type", "HEARTBEAT"}});
    schedule_heartbeat(*f);
  });
}

void Master::send_to_framework(Framework& framework, const nlohmann::json& event) {
  if (!framework.stream) return;
  framework.events_by_type[event.value("type", "UNKNOWN")]++;
  framework.stream->send(event);
}

http::Response Master::framework_call(const SchedulerCall& call, const http::Request& request) {
  Framework* framework = find_framework(*call.framework_id);
  if (framework == nullptr) {
    return http::text_response(400, "Framework '" + *call.framework_id + "' not found");
  }
  if (framework->calls_received) framework->calls_received->increment();
  framework->calls_by_type[call.type]++;
  if (!framework->stream) {
    return http::text_response(403, "Framework is not subscribed");
  }
  std::optional<std::string_view> stream_id = request.header("Mesos-Stream-Id");
  if (!stream_id) {
    return http::text_response(
        400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  }
  if (*stream_id != framework->stream->id()) {
    return http::text_response(400, "The stream ID '" + std::string(*stream_id) +
                                        "' included in this request didn't match the stream "
                                        "ID currently associated with framework ID " +
                                        framework->id);
  }

  auto check_roles = [&](const std::vector<std::string>& roles) -> std::optional<std::string> {
    for (const std::string& role : roles) {
      if (std::find(framework->info.roles.begin(), framework->info.roles.end(), role) ==
          framework->info.roles.end()) {
        return "Role '" + role + "' is not one of the framework's roles";
      }
    }
    return std::nullopt;
  };

  http::Response accepted(202, "", "");
  const std::string& type = call.type;
  if (type == "TEARDOWN") {
    // Counted first: teardown destroys `framework`.
    if (framework->calls_processed) framework->calls_processed->increment();
    teardown_framework(framework->id, "the framework asked for TEARDOWN");
    return accepted;
  }
  if (type == "ACCEPT") {
    accepted = accept(*framework, call);
  } else if (type == "DECLINE") {
    accepted = decline(*framework, call);
  } else if (type == "REVIVE" || type == "SUPPRESS") {
    if (auto problem = check_roles(call.roles)) return http::text_response(400, *problem);
    std::set<std::string> roles(call.roles.begin(), call.roles.end());
    const std::set<std::string>& affected =
        roles.empty() ? std::set<std::string>(framework->info.roles.begin(),
                                              framework->info.roles.end())
                      : roles;
    if (type == "REVIVE") {
      for (const std::string& role : affected) framework->suppressed_roles.erase(role);
      allocator_->revive(framework->id, roles);
      schedule_allocation();
    } else {
      framework->suppressed_roles.insert(affected.begin(), affected.end());
      allocator_->suppress(framework->id, roles);
    }
  } else if (type == "KILL") {
    kill_task(*framework, call);
  } else if (type == "SHUTDOWN") {
    shutdown_executor(*framework, call);
  } else if (type == "ACKNOWLEDGE") {
    acknowledge(*framework, call);
  } else if (type == "RECONCILE") {
    reconcile(*framework, call);
  } else if (type == "MESSAGE") {
    framework_message(*framework, call);
  } else if (type == "UPDATE_FRAMEWORK") {
    framework->info = *call.framework_info;
    framework->suppressed_roles = {call.suppressed_roles.begin(), call.suppressed_roles.end()};
    allocator_->update_framework(framework->id,
                                 {framework->info.roles, framework->suppressed_roles});
    schedule_allocation();
    accepted = http::Response(200, "", "");
  }
  // REQUEST, inverse offers and operation feedback: accepted, nothing to do.
  if (framework->calls_processed && accepted.status < 300) framework->calls_processed->increment();
  return accepted;
}

double Master::failover_timeout(const mesos::FrameworkInfo& info) const {
  return info.failover_timeout > 0 ? info.failover_timeout
                                   : options_.flags.framework_failover_timeout.secs();
}

Duration Master::failover_delay(double seconds) {
  // Durations beyond a year are effectively forever; keep the timer sane.
  return Duration::from_seconds(std::min(seconds, 365.0 * 24 * 3600));
}

void Master::disconnect_framework(const std::string& framework_id) {
  Framework* framework = find_framework(framework_id);
  if (framework == nullptr) return;
  framework->stream = nullptr;
  framework->active = false;
  framework->heartbeat.cancel();
  framework->unregistered_time = mesos::now_seconds();
  allocator_->deactivate_framework(framework_id);
  std::set<std::string> offers = framework->offers;
  for (const std::string& offer : offers) rescind_offer(offer, true, std::nullopt);

  const double timeout = failover_timeout(framework->info);
  log::info("Framework {} disconnected; failover timeout {}s", framework_id, timeout);
  if (timeout <= 0) return teardown_framework(framework_id, "disconnected without failover_timeout");
  framework->failover = loop_.after(failover_delay(timeout), [this, framework_id] {
    Framework* f = find_framework(framework_id);
    if (f != nullptr && !f->stream) teardown_framework(framework_id, "failover timeout elapsed");
  });
}

Framework& Master::recover_framework(const std::string& framework_id, const nlohmann::json* info,
                                     const std::string& role) {
  Framework& f = frameworks_[framework_id];
  f.id = framework_id;
  f.recovered = true;
  f.registered_time = mesos::now_seconds();
  if (info != nullptr) {
    auto parsed = mesos::FrameworkInfo::from_written_json(*info, "framework_info");
    if (parsed.ok()) f.info = *parsed;
  }
  f.info.id = f.id;
  if (f.info.roles.empty()) f.info.roles = {role};
  allocator_->add_framework(f.id, {f.info.roles, {}}, {});
  allocator_->deactivate_framework(f.id);
  return f;
}

void Master::await_framework(const std::string& framework_id, const nlohmann::json& info) {
  // Mesos counts failover_timeout from when the master lost the framework;
  // for a new leader that is its election. At least as long as agents get
  // to come back, so that a framework without a failover_timeout (torn
  // down at once when it disconnects) is not removed before it could
  // possibly have found the new leader.
  auto parsed = mesos::FrameworkInfo::from_written_json(info, "framework_info");
  const double timeout = std::max(failover_timeout(parsed.ok() ? *parsed : mesos::FrameworkInfo{}),
                                  options_.flags.agent_reregister_timeout.secs());
  recovering_frameworks_[framework_id] =
      loop_.after(failover_delay(timeout), [this, framework_id, timeout] {
        recovering_frameworks_.erase(framework_id);
        auto registered = registered_frameworks_.find(framework_id);
        if (registered == registered_frameworks_.end()) return;  // torn down meanwhile
        Framework* framework = find_framework(framework_id);
        if (framework != nullptr && framework->stream) return;
        if (framework == nullptr) recover_framework(framework_id, &registered->second, "*");
        teardown_framework(framework_id,
                           fmt::format("did not re-subscribe within {}s of this master's election "
                                       "(its failover timeout)",
                                       timeout));
      });
}

void Master::teardown_framework(const std::string& id, const std::string& why) {
  const std::string framework_id = id;  // `id` may live inside the framework erased below
  auto it = frameworks_.find(framework_id);
  if (it == frameworks_.end()) return;
  Framework& framework = it->second;
  log::info("Tearing down framework {} ({}): {}", framework_id, framework.info.name, why);
  recovering_frameworks_.erase(framework_id);
  if (registered_frameworks_.erase(framework_id) > 0) {
    registry_->apply([framework_id](RegistryState& state) { state.frameworks.erase(framework_id); },
                     [framework_id](Status removed) {
                       if (!removed.ok()) {
                         log::warning("Framework {} stays in the registry: {}", framework_id,
                                      removed.error());
                       }
                     });
  }

  std::set<std::string> offers = framework.offers;
  for (const std::string& offer_id : offers) {
    auto offer = offers_.find(offer_id);
    if (offer != offers_.end()) remove_offer(offer->second);
  }
  // Agents kill the framework's executors and tasks.
  std::set<std::string> agent_ids;
  for (const auto& [task_id, task] : framework.tasks) agent_ids.insert(task.agent_id);
  for (auto& [agent_id, agent] : agents_) {
    if (agent.executors.count(framework_id)) agent_ids.insert(agent_id);
  }
  for (const std::string& agent_id : agent_ids) {
    Agent* agent = find_agent(agent_id);
    if (agent == nullptr) continue;
    send_to_agent(*agent, {{"type", "SHUTDOWN_FRAMEWORK"},
                           {"shutdown_framework", {{"framework_id", id_json(framework_id)}}}});
    for (auto task = agent->tasks.begin(); task != agent->tasks.end();) {
      task = task->first == framework_id ? agent->tasks.erase(task) : std::next(task);
    }
    agent->executors.erase(framework_id);
  }
  CompletedFramework completed{framework_id, framework.info, framework.registered_time,
                               mesos::now_seconds(), std::move(framework.completed_tasks)};
  for (auto& [task_id, task] : framework.tasks) {
    if (!mesos::is_terminal(task.state)) {
      mesos::TaskStatus status = master_status(task, mesos::TaskState::kKilled,
                                               "REASON_FRAMEWORK_REMOVED", "Framework removed");
      task.statuses.push_back(status);
      task.state = mesos::TaskState::kKilled;
      counters_->terminal_tasks[mesos::TaskState::kKilled]->increment();
    }
    completed.completed_tasks.push_back(std::move(task));
  }
  while (completed.completed_tasks.size() > options_.flags.max_completed_tasks_per_framework) {
    completed.completed_tasks.pop_front();
  }
  framework.heartbeat.cancel();
  framework.failover.cancel();
  if (framework.stream) framework.stream->close();
  allocator_->remove_framework(framework_id);
  broadcast_operator_event({{"type", "FRAMEWORK_REMOVED"},
                            {"framework_removed",
                             {{"framework_info", framework.info.to_json()}}}});
  frameworks_.erase(it);
  completed_frameworks_.push_back(std::move(completed));
  while (completed_frameworks_.size() > options_.flags.max_completed_frameworks) {
    completed_frameworks_.pop_front();
  }
  schedule_allocation();
}

void Master::kill_task(Framework& framework, const SchedulerCall& call) {
  auto it = framework.tasks.find(call.task_id);
  if (it == framework.tasks.end()) {
    // Unknown to the master: answer with what reconciliation would say.
    SchedulerCall reconcile_call;
    reconcile_call.reconcile.push_back({call.task_id, call.agent_id});
    return reconcile(framework, reconcile_call);
  }
  Task& task = it->second;
  Agent* agent = find_agent(task.agent_id);
  if (agent == nullptr || !agent->stream) {
    log::info("Kill of task {} deferred: agent {} is not connected", task.task_id, task.agent_id);
    return;
  }
  nlohmann::json kill{{"framework_id", id_json(framework.id)}, {"task_id", id_json(task.task_id)}};
  if (!call.kill_policy.is_null()) kill["kill_policy"] = call.kill_policy;
  send_to_agent(*agent, {{"type", "KILL_TASK"}, {"kill_task", kill}});
}

void Master::shutdown_executor(Framework& framework, const SchedulerCall& call) {
  Agent* agent = find_agent(*call.agent_id);
  if (agent == nullptr) return;
  send_to_agent(*agent, {{"type", "SHUTDOWN_EXECUTOR"},
                         {"shutdown_executor",
                          {{"framework_id", id_json(framework.id)},
                           {"executor_id", id_json(call.executor_id)}}}});
}

void Master::acknowledge(Framework& framework, const SchedulerCall& call) {
  Agent* agent = find_agent(*call.agent_id);
  if (agent == nullptr) return;  // it re-sends the update once it is back
  send_to_agent(*agent, {{"type", "ACKNOWLEDGE"},
                         {"acknowledge",
                          {{"framework_id", id_json(framework.id)},
                           {"task_id", id_json(call.task_id)},
                           {"uuid", call.uuid}}}});
}

void Master::framework_message(Framework& framework, const SchedulerCall& call) {
  Agent* agent = find_agent(*call.agent_id);
  if (agent == nullptr || !agent->stream) return;
  counters_->framework_messages->increment();
  send_to_agent(*agent, {{"type", "MESSAGE"},
                         {"message",
                          {{"framework_id", id_json(framework.id)},
                           {"executor_id", id_json(call.executor_id)},
                           {"data", call.data}}}});
}

void Master::reconcile(Framework& framework, const SchedulerCall& call) {
  auto send = [&](const Task& task) {
    mesos::TaskStatus status = task.statuses.empty()
                                   ? master_status(task, task.state, "", "")
                                   : task.statuses.back();
    status.uuid.reset();  // reconciliation updates are not acknowledged
    status.source = "SOURCE_MASTER";
    status.reason = "REASON_RECONCILIATION";
    status.timestamp = mesos::now_seconds();
    send_status(framework, status);
  };
  if (call.reconcile.empty()) {  // implicit: every task the master knows
    for (const auto& [id, task] : framework.tasks) send(task);
    for (const auto& [id, task] : framework.unreachable_tasks) send(task);
    return;
  }
  const bool partition_aware = framework.info.partition_aware();
  for (const mesos::ReconcileTask& wanted : call.reconcile) {
    auto task = framework.tasks.find(wanted.task_id);
    if (task != framework.tasks.end()) {
      send(task->second);
      continue;
    }
    auto unreachable = framework.unreachable_tasks.find(wanted.task_id);
    if (unreachable != framework.unreachable_tasks.end()) {
      send(unreachable->second);
      continue;
    }
    // Not known: GONE when its agent is registered (the task is not there),
    // UNREACHABLE when the agent is, UNKNOWN otherwise; LOST for frameworks
    // that are not partition-aware.
    mesos::TaskStatus status;
    status.task_id = wanted.task_id;
    status.agent_id = wanted.agent_id;
    status.source = "SOURCE_MASTER";
    status.reason = "REASON_RECONCILIATION";
    status.timestamp = mesos::now_seconds();
    if (wanted.agent_id && agents_.count(*wanted.agent_id)) {
      status.state = partition_aware ? mesos::TaskState::kGone : mesos::TaskState::kLost;
      status.message = "Reconciliation: task is unknown to the agent";
    } else if (wanted.agent_id && unreachable_agents_.count(*wanted.agent_id)) {
      status.state = partition_aware ? mesos::TaskState::kUnreachable : mesos::TaskState::kLost;
      status.message = "Reconciliation: task is on an unreachable agent";
    } else if (wanted.agent_id && recovering_agents_.count(*wanted.agent_id)) {
      continue;  // Mesos stays silent until the agent re-registers or times out
    } else {
      status.state = partition_aware ? mesos::TaskState::kUnknown : mesos::TaskState::kLost;
      status.message = "Reconciliation: task is unknown";
    }
    send_status(framework, status);
  }
}

}  // namespace cairn::master
