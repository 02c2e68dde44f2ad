// What the state endpoints render: the v0 JSON of /master/state and
// friends, and the v1 operator API responses (GET_STATE, GET_AGENTS, ...).
#include <fmt/core.h>

#include "daemons/master/master.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::master {

using mesos::id_json;

namespace {

nlohmann::json time_ns(double seconds) {
  return {{"nanoseconds", static_cast<int64_t>(seconds * 1e9)}};
}

// Copies the pass-through TaskInfo fields Mesos shows for a task.
void copy_task_extras(const nlohmann::json& info, nlohmann::json& out) {
  if (!info.is_object()) return;
  for (const char* key : {"labels", "discovery", "container", "health_check", "kill_policy"}) {
    if (info.contains(key) && !info[key].is_null()) out[key] = info[key];
  }
}

nlohmann::json statuses_v0(const Task& task) {
  nlohmann::json out = nlohmann::json::array();
  for (const mesos::TaskStatus& status : task.statuses) {
    nlohmann::json s{{"state", std::string(mesos::to_string(status.state))},
                     {"timestamp", status.timestamp}};
    if (status.healthy) s["healthy"] = *status.healthy;
    if (status.extra.contains("container_status")) s["container_status"] = status.extra["container_status"];
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

nlohmann::json Master::task_v0(const Task& task) const {
  nlohmann::json out{{"id", task.task_id},
                     {"name", task.name},
                     {"framework_id", task.framework_id},
                     {"executor_id", task.executor_id.value_or("")},
                     {"slave_id", task.agent_id},
                     {"state", std::string(mesos::to_string(task.state))},
                     {"resources", task.resources.to_v0_json()},
                     {"role", task.role},
                     {"statuses", statuses_v0(task)}};
  copy_task_extras(task.info, out);
  return out;
}

nlohmann::json Master::task_v1(const Task& task) const {
  nlohmann::json out{{"name", task.name},
                     {"task_id", id_json(task.task_id)},
                     {"framework_id", id_json(task.framework_id)},
                     {"agent_id", id_json(task.agent_id)},
                     {"state", std::string(mesos::to_string(task.state))},
                     {"resources", task.resources.to_json(ResourceFormat::kEndpoint)},
                     {"role", task.role}};
  if (task.executor_id) out["executor_id"] = id_json(*task.executor_id);
  nlohmann::json statuses = nlohmann::json::array();
  for (const mesos::TaskStatus& status : task.statuses) statuses.push_back(status.to_json());
  out["statuses"] = statuses;
  if (!task.statuses.empty()) {
    out["status_update_state"] = std::string(mesos::to_string(task.statuses.back().state));
    if (task.statuses.back().uuid) out["status_update_uuid"] = *task.statuses.back().uuid;
  }
  copy_task_extras(task.info, out);
  return out;
}

nlohmann::json Master::agent_v0(const Agent& agent) const {
  Resources used, offered;
  for (const auto& [framework_id, task_id] : agent.tasks) {
    auto f = frameworks_.find(framework_id);
    if (f == frameworks_.end()) continue;
    auto t = f->second.tasks.find(task_id);
    if (t != f->second.tasks.end()) used += t->second.resources;
  }
  for (const auto& [framework_id, executors] : agent.executors) {
    for (const auto& [id, executor] : executors) used += executor.resources;
  }
  for (const std::string& offer_id : agent.offers) {
    auto it = offers_.find(offer_id);
    if (it != offers_.end()) offered += it->second.resources;
  }
  nlohmann::json reserved = nlohmann::json::object(), reserved_full = nlohmann::json::object();
  for (const auto& [role, resources] : agent.total.reservations()) {
    reserved[role] = resources.to_v0_json();
    reserved_full[role] = resources.to_json(ResourceFormat::kEndpoint);
  }
  auto colon = agent.address.rfind(':');
  return {{"id", agent.id},
          {"pid", "slave(1)@" + agent.address},
          {"hostname", agent.hostname},
          {"port", std::atoi(agent.address.substr(colon + 1).c_str())},
          {"registered_time", agent.registered_time},
          {"reregistered_time", agent.reregistered_time.value_or(agent.registered_time)},
          {"resources", agent.total.to_v0_json()},
          {"used_resources", used.to_v0_json()},
          {"offered_resources", offered.to_v0_json()},
          {"reserved_resources", reserved},
          {"unreserved_resources", agent.total.unreserved().to_v0_json()},
          {"attributes", agent.attributes.to_v0_json()},
          {"active", agent.active},
          {"version", agent.version},
          {"capabilities", agent.capabilities},
          {"reserved_resources_full", reserved_full},
          {"unreserved_resources_full", agent.total.unreserved().to_json(ResourceFormat::kEndpoint)},
          {"used_resources_full", used.to_json(ResourceFormat::kEndpoint)},
          {"offered_resources_full", offered.to_json(ResourceFormat::kEndpoint)}};
}

nlohmann::json Master::agent_v1(const Agent& agent) const {
  nlohmann::json info = agent.info;
  info["id"] = id_json(agent.id);
  info["resources"] = agent.total.to_json(ResourceFormat::kEndpoint);
  nlohmann::json v0 = agent_v0(agent);
  nlohmann::json out{{"agent_info", info},
                     {"active", agent.active},
                     {"version", agent.version},
                     {"pid", v0["pid"]},
                     {"registered_time", time_ns(agent.registered_time)},
                     {"total_resources", agent.total.to_json(ResourceFormat::kEndpoint)},
                     {"allocated_resources", v0["used_resources_full"]},
                     {"offered_resources", v0["offered_resources_full"]}};
  if (agent.reregistered_time) out["reregistered_time"] = time_ns(*agent.reregistered_time);
  return out;
}

nlohmann::json Master::framework_v0(const Framework& framework) const {
  const mesos::FrameworkInfo& info = framework.info;
  nlohmann::json tasks = nlohmann::json::array(), unreachable = nlohmann::json::array(),
                 completed = nlohmann::json::array(), offers = nlohmann::json::array(),
                 executors = nlohmann::json::array();
  for (const auto& [id, task] : framework.tasks) tasks.push_back(task_v0(task));
  for (const auto& [id, task] : framework.unreachable_tasks) unreachable.push_back(task_v0(task));
  for (const Task& task : framework.completed_tasks) completed.push_back(task_v0(task));
  for (const std::string& offer_id : framework.offers) {
    auto it = offers_.find(offer_id);
    if (it == offers_.end()) continue;
    offers.push_back({{"id", offer_id},
                      {"framework_id", framework.id},
                      {"slave_id", it->second.agent_id},
                      {"resources", it->second.resources.to_v0_json()}});
  }
  for (const auto& [agent_id, agent] : agents_) {
    auto mine = agent.executors.find(framework.id);
    if (mine == agent.executors.end()) continue;
    for (const auto& [executor_id, executor] : mine->second) {
      nlohmann::json e = executor.info;
      e["executor_id"] = executor_id;
      e["slave_id"] = agent_id;
      e["resources"] = executor.resources.to_v0_json();
      executors.push_back(std::move(e));
    }
  }
  nlohmann::json capabilities = nlohmann::json::array();
  for (const std::string& c : info.capabilities) capabilities.push_back(c);
  Resources allocated = framework.used + framework.offered;
  return {{"id", framework.id},
          {"name", info.name},
          {"pid", ""},
          {"user", info.user},
          {"hostname", info.hostname},
          {"webui_url", info.webui_url},
          {"principal", info.principal.value_or("")},
          {"role", info.multi_role() ? "*" : info.roles.front()},
          {"roles", info.roles},
          {"capabilities", capabilities},
          {"failover_timeout", info.failover_timeout},
          {"checkpoint", info.checkpoint},
          {"active", framework.active},
          {"connected", framework.stream != nullptr},
          {"recovered", info.user.empty()},
          {"registered_time", framework.registered_time},
          {"reregistered_time", framework.reregistered_time.value_or(framework.registered_time)},
          {"unregistered_time", framework.unregistered_time.value_or(0)},
          {"resources", allocated.to_v0_json()},
          {"allocated_resources", allocated.to_v0_json()},
          {"used_resources", framework.used.to_v0_json()},
          {"offered_resources", framework.offered.to_v0_json()},
          {"tasks", tasks},
          {"unreachable_tasks", unreachable},
          {"completed_tasks", completed},
          {"offers", offers},
          {"executors", executors}};
}

nlohmann::json Master::completed_framework_v0(const CompletedFramework& framework) const {
  nlohmann::json completed = nlohmann::json::array();
  for (const Task& task : framework.completed_tasks) completed.push_back(task_v0(task));
  return {{"id", framework.id},
          {"name", framework.info.name},
          {"user", framework.info.user},
          {"principal", framework.info.principal.value_or("")},
          {"roles", framework.info.roles},
          {"active", false},
          {"connected", false},
          {"registered_time", framework.registered_time},
          {"unregistered_time", framework.unregistered_time},
          {"tasks", nlohmann::json::array()},
          {"completed_tasks", completed}};
}

nlohmann::json Master::state_v0() const {
  nlohmann::json agents = nlohmann::json::array(), frameworks = nlohmann::json::array(),
                 completed = nlohmann::json::array();
  size_t active = 0;
  for (const auto& [id, agent] : agents_) {
    agents.push_back(agent_v0(agent));
    active += agent.active ? 1 : 0;
  }
  for (const auto& [id, framework] : frameworks_) frameworks.push_back(framework_v0(framework));
  for (const CompletedFramework& f : completed_frameworks_) completed.push_back(completed_framework_v0(f));
  nlohmann::json info = master_info();
  nlohmann::json flags = nlohmann::json::object();
  for (const auto& [name, value] : options_.flag_values) flags[name] = value;
  return {{"version", CAIRN_VERSION},
          {"build_date", __DATE__},
          {"start_time", start_time_secs_},
          {"elected_time", elected_time_secs_},
          {"id", id_},
          {"pid", info["pid"]},
          {"hostname", options_.hostname},
          {"cluster", options_.cluster},
          {"leader", info["pid"]},
          {"leader_info", info},
          {"log_dir", options_.flags.log_dir.value_or("")},
          {"flags", flags},
          {"activated_slaves", active},
          {"deactivated_slaves", agents_.size() - active},
          {"unreachable_slaves", unreachable_agents_.size()},
          {"slaves", agents},
          {"frameworks", frameworks},
          {"completed_frameworks", completed},
          {"orphan_tasks", nlohmann::json::array()},
          {"unregistered_frameworks", nlohmann::json::array()}};
}

nlohmann::json Master::state_summary_v0() const {
  nlohmann::json agents = nlohmann::json::array(), frameworks = nlohmann::json::array();
  auto count_states = [](auto&& tasks_of, nlohmann::json& out) {
    std::map<std::string, int> counts;
    for (const char* s : {"TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING",
                          "TASK_FINISHED", "TASK_KILLED", "TASK_FAILED", "TASK_LOST",
                          "TASK_ERROR", "TASK_UNREACHABLE"}) {
      counts[s] = 0;
    }
    tasks_of([&](const Task& t) { counts[std::string(mesos::to_string(t.state))]++; });
    for (const auto& [state, n] : counts) out[state] = n;
  };
  for (const auto& agent_entry : agents_) {
    const Agent& agent = agent_entry.second;  // not a structured binding: lambdas capture it
    nlohmann::json a = agent_v0(agent);
    nlohmann::json fw_ids = nlohmann::json::array();
    std::set<std::string> ids;
    for (const auto& [framework_id, task_id] : agent.tasks) ids.insert(framework_id);
    for (const std::string& f : ids) fw_ids.push_back(f);
    a["framework_ids"] = fw_ids;
    count_states(
        [&](auto visit) {
          for (const auto& [framework_id, task_id] : agent.tasks) {
            auto f = frameworks_.find(framework_id);
            if (f == frameworks_.end()) continue;
            auto t = f->second.tasks.find(task_id);
            if (t != f->second.tasks.end()) visit(t->second);
          }
        },
        a);
    agents.push_back(std::move(a));
  }
  for (const auto& framework_entry : frameworks_) {
    const Framework& framework = framework_entry.second;
    nlohmann::json f = framework_v0(framework);
    for (const char* key : {"tasks", "unreachable_tasks", "completed_tasks", "offers", "executors"}) {
      f.erase(key);
    }
    std::set<std::string> agent_ids;
    for (const auto& [task_id, task] : framework.tasks) agent_ids.insert(task.agent_id);
    f["slave_ids"] = agent_ids;
    count_states(
        [&](auto visit) {
          for (const auto& [task_id, task] : framework.tasks) visit(task);
          for (const Task& task : framework.completed_tasks) visit(task);
        },
        f);
    frameworks.push_back(std::move(f));
  }
  return {{"hostname", options_.hostname}, {"cluster", options_.cluster},
          {"slaves", agents},              {"frameworks", frameworks}};
}

nlohmann::json Master::roles_v0() const {
  nlohmann::json roles = nlohmann::json::array();
  for (const RoleSummary& role : allocator_->roles()) {
    nlohmann::json r{{"name", role.role},
                     {"weight", role.weight},
                     {"resources", role.allocated.to_v0_json()},
                     {"allocated", role.allocated.to_v0_json()},
                     {"frameworks", role.frameworks}};
    if (!role.guarantee.empty()) r["quota"] = {{"guarantee", role.guarantee.to_v0_json()}};
    roles.push_back(std::move(r));
  }
  return {{"roles", roles}};
}

nlohmann::json Master::framework_v1(const Framework& framework) const {
  nlohmann::json out{{"framework_info", framework.info.to_json()},
                     {"active", framework.active},
                     {"connected", framework.stream != nullptr},
                     {"recovered", framework.info.user.empty()},
                     {"registered_time", time_ns(framework.registered_time)},
                     {"allocated_resources", (framework.used + framework.offered)
                                                 .to_json(ResourceFormat::kEndpoint)},
                     {"offered_resources", framework.offered.to_json(ResourceFormat::kEndpoint)}};
  if (framework.reregistered_time) out["reregistered_time"] = time_ns(*framework.reregistered_time);
  if (framework.unregistered_time) out["unregistered_time"] = time_ns(*framework.unregistered_time);
  return out;
}

nlohmann::json Master::get_agents_v1() const {
  nlohmann::json agents = nlohmann::json::array(), recovered = nlohmann::json::array();
  for (const auto& [id, agent] : agents_) agents.push_back(agent_v1(agent));
  for (const std::string& id : recovering_agents_) recovered.push_back({{"id", id_json(id)}});
  return {{"agents", agents}, {"recovered_agents", recovered}};
}

nlohmann::json Master::get_frameworks_v1() const {
  nlohmann::json frameworks = nlohmann::json::array(), completed = nlohmann::json::array();
  for (const auto& [id, framework] : frameworks_) frameworks.push_back(framework_v1(framework));
  for (const CompletedFramework& f : completed_frameworks_) {
    mesos::FrameworkInfo info = f.info;
    info.id = f.id;
    completed.push_back({{"framework_info", info.to_json()},
                         {"active", false},
                         {"connected", false},
                         {"recovered", false},
                         {"registered_time", time_ns(f.registered_time)},
                         {"unregistered_time", time_ns(f.unregistered_time)}});
  }
  return {{"frameworks", frameworks}, {"completed_frameworks", completed}};
}

nlohmann::json Master::get_tasks_v1() const {
  nlohmann::json tasks = nlohmann::json::array(), unreachable = nlohmann::json::array(),
                 completed = nlohmann::json::array();
  for (const auto& [id, framework] : frameworks_) {
    for (const auto& [tid, task] : framework.tasks) tasks.push_back(task_v1(task));
    for (const auto& [tid, task] : framework.unreachable_tasks) unreachable.push_back(task_v1(task));
    for (const Task& task : framework.completed_tasks) completed.push_back(task_v1(task));
  }
  for (const CompletedFramework& f : completed_frameworks_) {
    for (const Task& task : f.completed_tasks) completed.push_back(task_v1(task));
  }
  return {{"tasks", tasks}, {"unreachable_tasks", unreachable}, {"completed_tasks", completed}};
}

nlohmann::json Master::get_executors_v1() const {
  nlohmann::json executors = nlohmann::json::array();
  for (const auto& [agent_id, agent] : agents_) {
    for (const auto& [framework_id, by_id] : agent.executors) {
      for (const auto& [executor_id, executor] : by_id) {
        nlohmann::json info = executor.info;
        info["executor_id"] = id_json(executor_id);
        info["framework_id"] = id_json(framework_id);
        executors.push_back({{"executor_info", info}, {"agent_id", id_json(agent_id)}});
      }
    }
  }
  return {{"executors", executors}};
}

nlohmann::json Master::get_roles_v1() const {
  nlohmann::json roles = nlohmann::json::array();
  for (const RoleSummary& role : allocator_->roles()) {
    nlohmann::json frameworks = nlohmann::json::array();
    for (const std::string& f : role.frameworks) frameworks.push_back(id_json(f));
    roles.push_back({{"name", role.role},
                     {"weight", role.weight},
                     {"resources", role.allocated.to_json(ResourceFormat::kEndpoint)},
                     {"frameworks", frameworks}});
  }
  return {{"roles", roles}};
}

nlohmann::json Master::get_state_v1() const {
  return {{"get_tasks", get_tasks_v1()},
          {"get_executors", get_executors_v1()},
          {"get_frameworks", get_frameworks_v1()},
          {"get_agents", get_agents_v1()}};
}

}  // namespace cairn::master
