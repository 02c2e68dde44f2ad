// Allocation cycles, offers, and what frameworks do with them (ACCEPT,
// DECLINE), including task validation against the offer.
#include <fmt/core.h>

#include "daemons/master/master.hpp"
#include "daemons/master/master_counters.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::master {

using mesos::id_json;

namespace {

ResourceFormat format_for(const mesos::FrameworkInfo& info) {
  return info.has_capability("RESERVATION_REFINEMENT") ? ResourceFormat::kPostRefinement
                                                       : ResourceFormat::kPreRefinement;
}

}  // namespace

void Master::schedule_allocation() {
  if (!recovered_) return;
  // An allocation right after the event (coalesced), plus the periodic one.
  if (!allocation_pending_) {
    allocation_pending_ = true;
    defer([this] {
      allocation_pending_ = false;
      run_allocation();
    });
  }
  if (!allocation_timer_.pending()) {
    allocation_timer_ = loop_.after(options_.flags.allocation_interval, [this] {
      run_allocation();
      schedule_allocation();
    });
  }
}

void Master::run_allocation() {
  if (!recovered_) return;
  auto started = std::chrono::steady_clock::now();
  std::vector<Allocation> allocations = allocator_->allocate(started);
  counters_->allocation_runs->increment();
  if (counters_->allocation_time) {
    counters_->allocation_time->record(
        Duration::nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count()));
  }
  // One OFFERS event per framework per cycle.
  std::map<std::string, nlohmann::json> events;
  for (const Allocation& allocation : allocations) {
    Framework* framework = find_framework(allocation.framework_id);
    Agent* agent = find_agent(allocation.agent_id);
    if (framework == nullptr || agent == nullptr || !framework->stream || !agent->active) {
      // Nobody to offer to any more: give the resources straight back.
      allocator_->recover(allocation.framework_id, allocation.agent_id, allocation.resources,
                          std::nullopt, started);
      continue;
    }
    for (const auto& [role, resources] : allocation.resources.allocations()) {
      Offer offer;
      offer.id = next_offer_id();
      offer.framework_id = framework->id;
      offer.agent_id = agent->id;
      offer.resources = resources;
      if (options_.flags.offer_timeout) {
        std::string id = offer.id;
        offer.timeout = loop_.after(*options_.flags.offer_timeout, [this, id] {
          if (offers_.count(id)) rescind_offer(id, true, std::nullopt);
        });
      }
      framework->offers.insert(offer.id);
      framework->offered += resources;
      agent->offers.insert(offer.id);
      counters_->offers_made->increment();

      nlohmann::json json{
          {"id", id_json(offer.id)},
          {"framework_id", id_json(framework->id)},
          {"agent_id", id_json(agent->id)},
          {"hostname", agent->hostname},
          {"resources", offer_role_resources(*framework, resources, role)},
      };
      auto colon = agent->address.rfind(':');
      json["url"] = {{"scheme", "http"},
                     {"address",
                      {{"hostname", agent->hostname},
                       {"ip", agent->ip()},
                       {"port", std::atoi(agent->address.substr(colon + 1).c_str())}}},
                     {"path", "/slave(1)"}};
      if (!agent->attributes.empty()) json["attributes"] = agent->attributes.to_json();
      if (framework->info.multi_role()) json["allocation_info"] = {{"role", role}};
      // Nothing to look up (and no machine id to build) unless something is scheduled.
      if (!maintenance_.modes().empty()) {
        if (auto window = maintenance_.unavailability(machine_of(*agent))) {
          json["unavailability"] = window->to_json();
        }
      }
      auto executors = agent->executors.find(framework->id);
      if (executors != agent->executors.end() && !executors->second.empty()) {
        nlohmann::json ids = nlohmann::json::array();
        for (const auto& [executor_id, executor] : executors->second) ids.push_back(id_json(executor_id));
        json["executor_ids"] = ids;
      }
      events[framework->id].push_back(std::move(json));
      offers_.emplace(offer.id, std::move(offer));
    }
  }
  for (auto& [framework_id, offers] : events) {
    Framework* framework = find_framework(framework_id);
    send_to_framework(*framework, {{"type", "OFFERS"}, {"offers", {{"offers", offers}}}});
  }
}

nlohmann::json Master::offer_role_resources(const Framework& framework, const Resources& resources,
                                            const std::string& role) const {
  (void)role;
  if (framework.info.multi_role()) return resources.to_json(format_for(framework.info));
  // Frameworks without MULTI_ROLE do not know allocation_info (Mesos strips it).
  Resources plain = resources;
  plain.unallocate();
  return plain.to_json(format_for(framework.info));
}

void Master::remove_offer(Offer& offer) {
  if (Framework* framework = find_framework(offer.framework_id)) {
    framework->offers.erase(offer.id);
    framework->offered -= offer.resources;
  }
  if (Agent* agent = find_agent(offer.agent_id)) agent->offers.erase(offer.id);
  offers_.erase(offer.id);  // destroys `offer` (and its timer)
}

void Master::rescind_offer(const std::string& offer_id, bool recover,
                           std::optional<Duration> refuse) {
  auto it = offers_.find(offer_id);
  if (it == offers_.end()) return;
  Offer& offer = it->second;
  if (Framework* framework = find_framework(offer.framework_id)) {
    send_to_framework(*framework,
                      {{"type", "RESCIND"}, {"rescind", {{"offer_id", id_json(offer_id)}}}});
  }
  counters_->offers_rescinded->increment();
  if (recover) {
    allocator_->recover(offer.framework_id, offer.agent_id, offer.resources, refuse,
                        std::chrono::steady_clock::now());
  }
  remove_offer(offer);
}

http::Response Master::decline(Framework& framework, const mesos::SchedulerCall& call) {
  auto now = std::chrono::steady_clock::now();
  for (const std::string& offer_id : call.offer_ids) {
    auto it = offers_.find(offer_id);
    // Mesos ignores offers that are gone (rescinded, already used).
    if (it == offers_.end() || it->second.framework_id != framework.id) continue;
    counters_->offers_declined->increment();
    allocator_->recover(framework.id, it->second.agent_id, it->second.resources,
                        Duration::from_seconds(std::min(call.filters.refuse_seconds, 3.15e7)), now);
    remove_offer(it->second);
  }
  schedule_allocation();
  return http::Response(202, "", "");
}

void Master::drop_tasks(Framework& framework, const std::vector<mesos::TaskInfo>& tasks,
                        mesos::TaskState state, const std::string& reason,
                        const std::string& message) {
  for (const mesos::TaskInfo& info : tasks) {
    mesos::TaskStatus status;
    status.task_id = info.task_id;
    status.agent_id = info.agent_id;
    status.state = state;
    status.reason = reason;
    status.message = message;
    status.source = "SOURCE_MASTER";
    status.timestamp = mesos::now_seconds();
    counters_->terminal_tasks[state]->increment();
    send_status(framework, status);
  }
}

std::optional<std::string> Master::validate_task(const Framework& framework, const Agent& agent,
                                                 const mesos::TaskInfo& task,
                                                 const Resources& available,
                                                 const std::set<std::string>& batch_ids) const {
  if (framework.tasks.count(task.task_id) || framework.unreachable_tasks.count(task.task_id) ||
      batch_ids.count(task.task_id)) {
    return "Task has duplicate ID: " + task.task_id;
  }
  if (task.agent_id != agent.id) {
    return "Task uses invalid agent: " + task.agent_id + " (the offers are for agent " + agent.id +
           ")";
  }
  if (task.has_command == task.executor.has_value()) {
    return "Task should have at least one (but not both) of CommandInfo or ExecutorInfo present";
  }
  if (task.resources.empty()) return "Task uses no resources";
  (void)available;
  return std::nullopt;
}

nlohmann::json Master::add_task(Framework& framework, Agent& agent, const mesos::TaskInfo& info,
                                const Resources& allocated, const std::string& role) {
  Task task;
  task.task_id = info.task_id;
  task.framework_id = framework.id;
  task.agent_id = agent.id;
  task.name = info.name;
  task.resources = allocated;
  task.role = role;
  task.state = mesos::TaskState::kStaging;
  task.info = info.json;
  task.info["resources"] = allocated.to_json(ResourceFormat::kPostRefinement);
  if (info.executor) task.executor_id = info.executor->executor_id;
  framework.used += allocated;
  agent.tasks.insert({framework.id, info.task_id});
  counters_->tasks_launched->increment();
  nlohmann::json sent = task.info;
  broadcast_operator_event({{"type", "TASK_ADDED"}, {"task_added", {{"task", task_v1(task)}}}});
  framework.tasks.emplace(info.task_id, std::move(task));
  return sent;
}

http::Response Master::accept(Framework& framework, const mesos::SchedulerCall& call) {
  auto now = std::chrono::steady_clock::now();
  std::vector<mesos::TaskInfo> all_tasks;
  for (const auto& op : call.operations) all_tasks.insert(all_tasks.end(), op.tasks.begin(), op.tasks.end());

  // Every offer must exist, be this framework's and be on the same agent.
  std::string invalid;
  std::string agent_id;
  Resources available;
  std::set<std::string> roles;
  for (const std::string& offer_id : call.offer_ids) {
    auto it = offers_.find(offer_id);
    if (it == offers_.end()) {
      invalid = "Offer " + offer_id + " is no longer valid";
    } else if (it->second.framework_id != framework.id) {
      invalid = "Offer " + offer_id + " belongs to another framework";
    } else if (!agent_id.empty() && it->second.agent_id != agent_id) {
      invalid = "Aggregated offers must belong to the same agent";
    } else {
      agent_id = it->second.agent_id;
      continue;
    }
    break;
  }
  if (!invalid.empty()) {
    // Valid offers among them go back; every task is dropped (Mesos).
    for (const std::string& offer_id : call.offer_ids) {
      auto it = offers_.find(offer_id);
      if (it == offers_.end() || it->second.framework_id != framework.id) continue;
      allocator_->recover(framework.id, it->second.agent_id, it->second.resources, std::nullopt, now);
      remove_offer(it->second);
    }
    drop_tasks(framework, all_tasks,
               framework.info.partition_aware() ? mesos::TaskState::kDropped : mesos::TaskState::kLost,
               "REASON_INVALID_OFFERS", invalid);
    schedule_allocation();
    return http::Response(202, "", "");
  }
  for (const std::string& offer_id : call.offer_ids) {
    Offer& offer = offers_.at(offer_id);
    available += offer.resources;
    for (const auto& [role, r] : offer.resources.allocations()) roles.insert(role);
    remove_offer(offer);
  }
  Agent* agent = find_agent(agent_id);
  if (agent == nullptr || !agent->active) {
    allocator_->recover(framework.id, agent_id, available, std::nullopt, now);
    drop_tasks(framework, all_tasks,
               framework.info.partition_aware() ? mesos::TaskState::kDropped : mesos::TaskState::kLost,
               "REASON_AGENT_REMOVED", "Agent " + agent_id + " is not available");
    return http::Response(202, "", "");
  }

  // Resources the framework sends may lack allocation_info (frameworks
  // without MULTI_ROLE never see it); give them the offer's role.
  auto allocate = [&](Resources resources, std::string* error) -> Resources {
    bool missing = false;
    for (const Resource& r : resources) missing = missing || !r.allocation_role;
    if (!missing) return resources;
    if (roles.size() != 1) {
      *error = "Resources must carry allocation_info.role: the offers span several roles";
      return {};
    }
    resources.unallocate();
    resources.allocate(*roles.begin());
    return resources;
  };

  std::set<std::string> batch_ids;
  for (const mesos::OfferOperation& op : call.operations) {
    if (op.type == "RESERVE" || op.type == "UNRESERVE") {
      std::string error;
      Resources to = allocate(op.resources, &error);
      Resources from = to;
      if (error.empty()) {
        for (const Resource& r : to) {
          if (!r.is_dynamically_reserved()) error = "Only dynamic reservations can be " + op.type + "d";
        }
      }
      if (error.empty()) {
        // The unreserved form: same resources, no reservation.
        Resources plain;
        for (Resource r : to) {
          r.reservation.reset();
          plain += r;
        }
        if (op.type == "RESERVE") {
          from = plain;
        } else {
          from = to;
          to = plain;
        }
        if (!available.contains(from)) {
          error = fmt::format("{} of {} does not fit the offered {}", op.type, from.to_string(),
                              available.to_string());
        }
      }
      if (!error.empty()) {
        log::warning("Framework {}: dropping {} operation: {}", framework.id, op.type, error);
        continue;
      }
      available -= from;
      available += to;
      allocator_->update_allocation(framework.id, agent->id, from, to);
      Resources stripped_from = from, stripped_to = to;
      stripped_from.unallocate();
      stripped_to.unallocate();
      agent->total -= stripped_from;
      agent->total += stripped_to;
      send_to_agent(*agent, {{"type", "APPLY_OPERATION"},
                             {"apply_operation",
                              {{"type", op.type},
                               {"resources", (op.type == "RESERVE" ? stripped_to : stripped_from)
                                                 .to_json(ResourceFormat::kPostRefinement)}}}});
      continue;
    }

    // LAUNCH and LAUNCH_GROUP.
    std::vector<std::pair<const mesos::TaskInfo*, Resources>> valid;
    std::string group_error;
    Resources needed;
    std::optional<mesos::ExecutorInfo> executor = op.executor;
    auto& executors = agent->executors[framework.id];
    for (const mesos::TaskInfo& task : op.tasks) {
      std::optional<std::string> error = validate_task(framework, *agent, task, available, batch_ids);
      if (op.type == "LAUNCH_GROUP" && task.executor) {
        error = "Tasks of a task group must not set an executor";
      }
      if (op.type == "LAUNCH_GROUP" && !error && !task.has_command) {
        error = "Tasks of a task group need a command";
      }
      std::string allocation_error;
      Resources resources = allocate(task.resources, &allocation_error);
      if (!error && !allocation_error.empty()) error = allocation_error;
      const mesos::ExecutorInfo* task_executor = task.executor ? &*task.executor : nullptr;
      if (!error && task_executor && !executors.count(task_executor->executor_id)) {
        resources += allocate(task_executor->resources, &allocation_error);
      }
      if (!error && !available.contains(needed + resources)) {
        error = fmt::format("Task uses more resources {} than available {}", resources.to_string(),
                            (available - needed).to_string());
      }
      if (error) {
        if (op.type == "LAUNCH_GROUP") {
          group_error = *error;
          break;
        }
        drop_tasks(framework, {task}, mesos::TaskState::kError, "REASON_TASK_INVALID", *error);
        continue;
      }
      batch_ids.insert(task.task_id);
      needed += resources;
      valid.emplace_back(&task, resources);
    }
    if (op.type == "LAUNCH_GROUP" && group_error.empty() && executor &&
        !executors.count(executor->executor_id)) {
      std::string allocation_error;
      Resources executor_resources = allocate(executor->resources, &allocation_error);
      if (!allocation_error.empty()) {
        group_error = allocation_error;
      } else if (!available.contains(needed + executor_resources)) {
        group_error = "Task group and executor use more resources than available";
      } else {
        needed += executor_resources;
      }
    }
    if (!group_error.empty()) {
      drop_tasks(framework, op.tasks, mesos::TaskState::kError, "REASON_TASK_GROUP_INVALID",
                 group_error);
      continue;
    }
    available -= needed;

    nlohmann::json framework_info = framework.info.to_json();
    if (op.type == "LAUNCH") {
      for (const auto& [task, resources] : valid) {
        std::string role = resources.allocations().empty() ? "*" : resources.allocations().begin()->first;
        Resources task_resources = resources;
        nlohmann::json event{{"framework_info", framework_info}};
        if (task->executor && !executors.count(task->executor->executor_id)) {
          Resources executor_resources = allocate(task->executor->resources, &group_error);
          task_resources -= executor_resources;
          executors[task->executor->executor_id] = Executor{task->executor->executor_id, framework.id,
                                                            agent->id, executor_resources,
                                                            task->executor->json};
          framework.used += executor_resources;
        }
        event["task"] = add_task(framework, *agent, *task, task_resources, role);
        send_to_agent(*agent, {{"type", "RUN_TASK"}, {"run_task", event}});
      }
    } else {
      std::string role = needed.allocations().empty() ? "*" : needed.allocations().begin()->first;
      nlohmann::json tasks = nlohmann::json::array();
      nlohmann::json executor_json = executor->json;
      executor_json["framework_id"] = id_json(framework.id);
      if (!executors.count(executor->executor_id)) {
        std::string ignored;
        Resources executor_resources = allocate(executor->resources, &ignored);
        executors[executor->executor_id] = Executor{executor->executor_id, framework.id, agent->id,
                                                    executor_resources, executor_json};
        framework.used += executor_resources;
      }
      for (const auto& [task, resources] : valid) {
        nlohmann::json sent = add_task(framework, *agent, *task, resources, role);
        framework.tasks.at(task->task_id).executor_id = executor->executor_id;
        tasks.push_back(sent);
      }
      send_to_agent(*agent, {{"type", "RUN_TASK_GROUP"},
                             {"run_task_group",
                              {{"framework_info", framework_info},
                               {"executor", executor_json},
                               {"task_group", {{"tasks", tasks}}}}}});
    }
  }

  // What was not used goes back, filtered for this framework as it asked.
  if (!available.empty()) {
    allocator_->recover(framework.id, agent->id, available,
                        Duration::from_seconds(std::min(call.filters.refuse_seconds, 3.15e7)), now);
  }
  schedule_allocation();
  return http::Response(202, "", "");
}

}  // namespace cairn::master
