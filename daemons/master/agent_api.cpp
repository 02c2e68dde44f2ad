// The master side of the master↔agent protocol (POST /api/v1/agent),
// documented in docs/internals/agent-protocol.md: registration opens a
// RecordIO stream of events to the agent; the agent's other calls (status
// updates, pongs, executor exits, executor messages) are plain POSTs that
// carry the stream id.
#include <fmt/core.h>

#include "daemons/master/master.hpp"
#include "daemons/master/master_counters.hpp"
#include "lib/base/uuid.hpp"
#include "lib/http/api_call.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::master {

using mesos::Fields;
using mesos::id_json;

namespace {

const std::vector<std::string_view> kAgentCallTypes{"REGISTER", "UPDATE", "PONG",
                                                    "EXECUTOR_EXITED", "MESSAGE"};

// The parts of an agent's REGISTER call the master acts on.
struct Registration {
  std::optional<std::string> agent_id;
  nlohmann::json info;
  std::string hostname;
  std::string address;
  std::string version;
  Resources total;
  Attributes attributes;
};

Registration read_registration(const Fields& call, const std::string& remote_address) {
  Fields payload = call.required_object("register");
  Fields info = payload.required_object("agent_info");
  Registration r;
  r.agent_id = info.optional_id("id");
  r.hostname = info.required_string("hostname");
  int64_t port = info.integer("port", 5051);
  if (port <= 0 || port > 65535) info.fail("port", "must be from 1 to 65535");
  std::string ip = info.optional_string("ip").value_or("");
  if (ip.empty()) ip = remote_address.substr(0, remote_address.rfind(':'));
  r.address = fmt::format("{}:{}", ip, port);
  const nlohmann::json* resources = info.get("resources");
  if (resources == nullptr) info.fail("resources", "required resources are missing");
  Result<Resources> total = Resources::from_json(*resources);
  if (!total.ok()) info.fail("resources", total.error());
  r.total = *total;
  if (const nlohmann::json* attributes = info.get("attributes")) {
    Result<Attributes> parsed = Attributes::from_json(*attributes);
    if (!parsed.ok()) info.fail("attributes", parsed.error());
    r.attributes = *parsed;
  }
  r.version = payload.optional_string("version").value_or("");
  payload.array("tasks");
  payload.array("executors");
  payload.array("frameworks");
  r.info = info.json();
  return r;
}

}  // namespace

void Master::handle_agent_call(http::Request request, http::Responder responder) {
  if (!recovered_) return responder.respond(http::text_response(503, "Master is recovering"));
  http::ApiCallCheck check = http::check_api_call(request);
  if (!check.format) return responder.respond(std::move(check.error));
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return responder.respond(http::text_response(400, "body is not valid JSON"));

  auto parsed = mesos::parse_fields([&] {
    Fields call(body, "");
    return call.required_enum("type", kAgentCallTypes);
  });
  if (!parsed.ok()) return responder.respond(http::text_response(400, parsed.error()));
  const std::string& type = *parsed;
  if (type == "REGISTER") {
    return register_agent(body, request.remote_address, std::move(responder));
  }

  // Everything else comes from a registered agent on its current stream.
  auto agent_id = mesos::parse_fields([&] { return Fields(body, "").required_id("agent_id"); });
  if (!agent_id.ok()) return responder.respond(http::text_response(400, agent_id.error()));
  Agent* agent = find_agent(*agent_id);
  if (agent == nullptr) {
    return responder.respond(http::text_response(403, "Agent " + *agent_id + " is not registered"));
  }
  std::optional<std::string_view> stream_id = request.header("Mesos-Stream-Id");
  if (!agent->stream || !stream_id || *stream_id != agent->stream->id()) {
    return responder.respond(
        http::text_response(403, "Agent " + *agent_id + " is not subscribed on this stream"));
  }

  auto handled = mesos::parse_fields([&] {
    apply_agent_call(*agent, type, Fields(body, ""));
    return true;
  });
  if (!handled.ok()) return responder.respond(http::text_response(400, handled.error()));
  responder.respond(http::Response(202, "", ""));
}

void Master::apply_agent_call(Agent& agent, const std::string& type, const Fields& call) {
  if (type == "PONG") {
    agent.pong_pending = false;
    agent.missed_pings = 0;
  } else if (type == "UPDATE") {
    Fields update = call.required_object("update");
    std::string framework_id = update.required_id("framework_id");
    const nlohmann::json* status_json = update.get("status");
    if (status_json == nullptr) update.fail("status", "required object is missing");
    Result<mesos::TaskStatus> status =
        mesos::TaskStatus::from_json(*status_json, update.path_of("status"));
    if (!status.ok()) throw mesos::FieldError(status.error());
    update_task_status(agent.id, *status, framework_id);
  } else if (type == "EXECUTOR_EXITED") {
    Fields exited = call.required_object("executor_exited");
    std::string framework_id = exited.required_id("framework_id");
    std::string executor_id = exited.required_id("executor_id");
    int64_t exit_status = exited.integer("status", 0);
    auto& executors = agent.executors[framework_id];
    auto it = executors.find(executor_id);
    if (it != executors.end()) {
      allocator_->recover(framework_id, agent.id, it->second.resources, std::nullopt,
                          std::chrono::steady_clock::now());
      if (Framework* f = find_framework(framework_id)) f->used -= it->second.resources;
      executors.erase(it);
    }
    if (Framework* f = find_framework(framework_id)) {
      send_to_framework(*f, {{"type", "FAILURE"},
                             {"failure",
                              {{"agent_id", id_json(agent.id)},
                               {"executor_id", id_json(executor_id)},
                               {"status", exit_status}}}});
    }
    schedule_allocation();
  } else if (type == "MESSAGE") {
    Fields message = call.required_object("message");
    std::string framework_id = message.required_id("framework_id");
    std::string executor_id = message.required_id("executor_id");
    std::string data = message.required_string("data");
    if (Framework* f = find_framework(framework_id)) {
      send_to_framework(*f, {{"type", "MESSAGE"},
                             {"message",
                              {{"agent_id", id_json(agent.id)},
                               {"executor_id", id_json(executor_id)},
                               {"data", data}}}});
    }
  }
}

void Master::send_to_agent(Agent& agent, const nlohmann::json& event) {
  if (agent.stream) agent.stream->send(event);
}

void Master::register_agent(const nlohmann::json& body, const std::string& remote_address,
                            http::Responder responder) {
  auto parsed =
      mesos::parse_fields([&] { return read_registration(Fields(body, ""), remote_address); });
  if (!parsed.ok()) return responder.respond(http::text_response(400, parsed.error()));
  Registration registration = std::move(parsed).value();
  const MachineId machine = machine_of(registration.hostname, ip_of(registration.address));
  if (maintenance_.mode(machine) == MachineMode::kDown) {
    return responder.respond(http::text_response(
        403, "Agent's machine " + machine.to_string() +
                 " is DOWN for maintenance; it may register once the machine is brought up "
                 "(/machine/up or STOP_MAINTENANCE)"));
  }
  const bool reregister = registration.agent_id.has_value();
  std::string id = reregister ? *registration.agent_id : next_agent_id();
  registration.info["id"] = id_json(id);

  // Admit (or re-admit) durably before answering. The info is copied:
  // `admit` takes `registration` by move.
  nlohmann::json admitted = registration.info;
  // After a failover every agent re-registers exactly as it was admitted:
  // nothing to write then (1,000 agents would otherwise cost 1,000 writes).
  const bool unchanged = reregister && registry_->settled() && [&] {
    const RegistryState& stored = registry_->stored();
    auto it = stored.agents.find(id);
    return it != stored.agents.end() && it->second == admitted && !stored.unreachable.count(id);
  }();
  std::function<void(Status)> admit =
      [this, id, reregister, body, registration = std::move(registration),
       responder = std::move(responder)](Status written) mutable {
        if (!written.ok()) {
          log::error("Cannot admit agent {}: {}", id, written.error());
          return responder.respond(http::text_response(503, "Registry unavailable: " + written.error()));
        }
        http::Response head(200, "application/json", "");
        std::string stream_id = Uuid::random().to_string();
        head.headers.set("Mesos-Stream-Id", stream_id);
        std::shared_ptr<http::StreamWriter> writer = responder.stream(std::move(head));
        if (writer == nullptr) return;

        const double now = mesos::now_seconds();
        bool known = agents_.count(id) > 0;
        Agent& agent = agents_[id];
        if (known && agent.stream) {
          agent.stream->close();  // a newer connection of the same agent wins
        }
        std::set<std::string> offers = agent.offers;
        for (const std::string& offer : offers)
          rescind_offer(offer, true, std::nullopt);
        agent.id = id;
        agent.info = registration.info;
        agent.hostname = registration.hostname;
        agent.address = registration.address;
        agent.version = registration.version;
        agent.attributes = registration.attributes;
        if (!known) agent.registered_time = now;
        if (reregister) agent.reregistered_time = now;
        agent.stream = std::make_shared<http::EventStream>(writer, stream_id);
        agent.missed_pings = 0;
        agent.pong_pending = false;
        writer->on_close([this, id, stream_id] {
          defer([this, id, stream_id] { agent_disconnected(id, stream_id); });
        });

        const nlohmann::json& payload = body.at("register");
        if (known) {
          if (!(agent.total == registration.total)) {
            agent.total = registration.total;
            allocator_->update_agent_total(id, agent.total);
          }
          add_reported_tasks(agent, payload.value("tasks", nlohmann::json::array()),
                             payload.value("frameworks", nlohmann::json::array()));
          allocator_->activate_agent(id);
        } else {
          agent.total = registration.total;
          unreachable_agents_.erase(id);
          unreachable_since_.erase(id);
          recovering_agents_.erase(id);
          add_reported_tasks(agent, payload.value("tasks", nlohmann::json::array()),
                             payload.value("frameworks", nlohmann::json::array()));
          std::map<std::string, Resources> used;
          for (const auto& [framework_id, task_id] : agent.tasks) {
            used[framework_id] += frameworks_.at(framework_id).tasks.at(task_id).resources;
          }
          allocator_->add_agent(id, agent.total, used);
        }
        agent.active = true;
        (reregister ? counters_->agent_reregistrations : counters_->agent_registrations)->increment();
        log::info("Agent {} at {} ({}) {} with {}", id, agent.address, agent.hostname,
                  reregister ? "re-registered" : "registered", agent.total.to_string());
        send_to_agent(agent, {{"type", "REGISTERED"},
                              {"registered",
                               {{"agent_id", id_json(id)},
                                {"master_info", master_info()},
                                {"ping_interval_seconds", options_.flags.agent_ping_timeout.secs()}}}});
        if (!known) {
          broadcast_operator_event({{"type", "AGENT_ADDED"}, {"agent_added", {{"agent", agent_v1(agent)}}}});
        }
        agent.ping_timer = loop_.after(options_.flags.agent_ping_timeout, [this, id] { ping_agent(id); });
        schedule_allocation();
      };
  if (unchanged) return admit(ok_status());
  registry_->apply(
      [id, info = std::move(admitted)](RegistryState& state) {
        state.agents[id] = info;
        state.unreachable.erase(id);
      },
      std::move(admit));
}

void Master::add_reported_tasks(Agent& agent, const nlohmann::json& tasks,
                                const nlohmann::json& frameworks) {
  // Frameworks the master does not know yet (it restarted, or they have not
  // re-subscribed): recorded from the agent so their tasks have an owner.
  std::map<std::string, nlohmann::json> infos;
  for (const nlohmann::json& info : frameworks) {
    if (info.is_object() && info.contains("id") && info["id"].is_object()) {
      infos[info["id"].value("value", "")] = info;
    }
  }
  for (const nlohmann::json& reported : tasks) {
    auto task = mesos::parse_fields([&] {
      Fields f(reported, "task");
      Task t;
      t.task_id = f.required_id("task_id");
      t.framework_id = f.required_id("framework_id");
      t.agent_id = agent.id;
      t.executor_id = f.optional_id("executor_id");
      t.name = f.optional_string("name").value_or("");
      t.state = *mesos::parse_task_state(f.required_enum("state", mesos::task_state_names()));
      if (const nlohmann::json* r = f.get("resources")) {
        Result<Resources> resources = Resources::from_json(*r);
        if (!resources.ok()) f.fail("resources", resources.error());
        t.resources = *resources;
      }
      auto allocations = t.resources.allocations();
      t.role = allocations.empty() ? "*" : allocations.begin()->first;
      t.info = reported;
      return t;
    });
    if (!task.ok()) {
      log::warning("Agent {} reported a malformed task: {}", agent.id, task.error());
      continue;
    }
    if (mesos::is_terminal(task->state)) continue;
    Framework* framework = find_framework(task->framework_id);
    if (framework == nullptr) {
      // The agent's copy first, else the registry's (the one the framework
      // last subscribed with).
      const nlohmann::json* info = nullptr;
      if (auto reported_info = infos.find(task->framework_id); reported_info != infos.end()) {
        info = &reported_info->second;
      } else if (auto registered = registered_frameworks_.find(task->framework_id);
                 registered != registered_frameworks_.end()) {
        info = &registered->second;
      }
      framework = &recover_framework(task->framework_id, info, task->role);
    }
    framework->unreachable_tasks.erase(task->task_id);
    auto existing = framework->tasks.find(task->task_id);
    if (existing != framework->tasks.end()) {
      existing->second.state = task->state;
    } else {
      framework->used += task->resources;
      framework->tasks.emplace(task->task_id, *task);
    }
    agent.tasks.insert({framework->id, task->task_id});
  }
}

void Master::ping_agent(const std::string& agent_id) {
  Agent* agent = find_agent(agent_id);
  if (agent == nullptr) return;
  if (agent->pong_pending || !agent->stream) {
    agent->missed_pings++;
    if (agent->missed_pings >= options_.flags.max_agent_ping_timeouts) {
      return mark_unreachable(agent_id, fmt::format("missed {} pings", agent->missed_pings));
    }
  }
  if (agent->stream) {
    agent->pong_pending = true;
    send_to_agent(*agent, {{"type", "PING"}});
  }
  agent->ping_timer =
      loop_.after(options_.flags.agent_ping_timeout, [this, agent_id] { ping_agent(agent_id); });
}

void Master::agent_disconnected(const std::string& agent_id, const std::string& stream_id) {
  Agent* agent = find_agent(agent_id);
  if (agent == nullptr || !agent->stream || agent->stream->id() != stream_id) return;
  log::warning("Agent {} at {} disconnected", agent_id, agent->address);
  agent->stream = nullptr;
  agent->active = false;
  allocator_->deactivate_agent(agent_id);
  std::set<std::string> offers = agent->offers;
  for (const std::string& offer : offers) rescind_offer(offer, true, std::nullopt);
}

void Master::mark_unreachable(const std::string& agent_id, const std::string& why) {
  const double now = mesos::now_seconds();
  registry_->apply([agent_id, now](RegistryState& state) { state.unreachable[agent_id] = now; },
                   [this, agent_id, why, now](Status written) {
                     if (!written.ok()) {
                       log::error("Cannot mark agent {} unreachable: {}", agent_id, written.error());
                       return;
                     }
                     recovering_agents_.erase(agent_id);
                     unreachable_since_[agent_id] = now;
                     Agent* agent = find_agent(agent_id);
                     if (agent == nullptr) {
                       unreachable_agents_.emplace(agent_id, nlohmann::json{});
                       return;
                     }
                     log::warning("Marking agent {} ({}) unreachable: {}", agent_id,
                                  agent->hostname, why);
                     counters_->agents_unreachable->increment();
                     remove_agent_state(*agent, AgentRemoval::kUnreachable,
                                        "Agent " + agent_id + " is unreachable");
                   });
}

void Master::remove_agent_state(Agent& agent, AgentRemoval removal, const std::string& why) {
  const bool unreachable = removal == AgentRemoval::kUnreachable;
  const std::string agent_id = agent.id;
  std::set<std::string> offers = agent.offers;
  for (const std::string& offer : offers) rescind_offer(offer, false, std::nullopt);
  const double now = mesos::now_seconds();
  for (const auto& [framework_id, task_id] : agent.tasks) {
    Framework* framework = find_framework(framework_id);
    if (framework == nullptr) continue;
    auto it = framework->tasks.find(task_id);
    if (it == framework->tasks.end()) continue;
    Task& task = it->second;
    framework->used -= task.resources;
    const bool partition_aware = framework->info.partition_aware();
    const mesos::TaskState state = !partition_aware ? mesos::TaskState::kLost
                                   : unreachable    ? mesos::TaskState::kUnreachable
                                                    : mesos::TaskState::kGone;
    mesos::TaskStatus status = master_status(task, state, "REASON_SLAVE_REMOVED", why);
    if (unreachable)
      status.extra["unreachable_time"] = {{"nanoseconds", static_cast<int64_t>(now * 1e9)}};
    send_status(*framework, status);
    task.statuses.push_back(status);
    task.state = status.state;
    if (state == mesos::TaskState::kUnreachable) {
      task.unreachable_time = now;
      framework->unreachable_tasks.emplace(task_id, std::move(task));
      framework->tasks.erase(it);
      while (framework->unreachable_tasks.size() > options_.flags.max_unreachable_tasks_per_framework) {
        framework->unreachable_tasks.erase(framework->unreachable_tasks.begin());
      }
    } else {
      counters_->terminal_tasks[state]->increment();
      framework->completed_tasks.push_back(std::move(task));
      framework->tasks.erase(it);
    }
  }
  for (auto& [framework_id, executors] : agent.executors) {
    if (Framework* framework = find_framework(framework_id)) {
      for (const auto& [executor_id, executor] : executors) framework->used -= executor.resources;
    }
  }
  for (auto& [framework_id, framework] : frameworks_) {
    send_to_framework(framework, {{"type", "FAILURE"}, {"failure", {{"agent_id", id_json(agent_id)}}}});
  }
  agent.ping_timer.cancel();
  if (agent.stream) agent.stream->close();
  allocator_->remove_agent(agent_id);
  if (unreachable) unreachable_agents_[agent_id] = agent.info;
  broadcast_operator_event({{"type", "AGENT_REMOVED"}, {"agent_removed", {{"agent_id", id_json(agent_id)}}}});
  agents_.erase(agent_id);
  schedule_allocation();
}

}  // namespace cairn::master
