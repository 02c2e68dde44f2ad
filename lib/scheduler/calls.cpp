#include "lib/scheduler/calls.hpp"

#include "lib/base/base64.hpp"

namespace cairn::scheduler::calls {
namespace {

json call(const char* type, const std::string& framework_id) {
  return json{{"type", type}, {"framework_id", id(framework_id)}};
}

json ids(const std::vector<std::string>& values) {
  json out = json::array();
  for (const auto& v : values)
    out.push_back(id(v));
  return out;
}

bool has_filters(const json& filters) {
  return !filters.is_null() && !(filters.is_object() && filters.empty());
}

json roles_call(const char* type, const char* field, const std::string& framework_id,
                const std::vector<std::string>& roles) {
  json c = call(type, framework_id);
  if (!roles.empty()) c[field] = json{{"roles", roles}};
  return c;
}

}  // namespace

json id(const std::string& value) {
  return json{{"value", value}};
}

json subscribe(const json& framework_info) {
  return json{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", framework_info}}}};
}

json teardown(const std::string& framework_id) {
  return call("TEARDOWN", framework_id);
}

json accept(const std::string& framework_id, const std::vector<std::string>& offer_ids,
            const json& operations, const json& filters) {
  json body{{"offer_ids", ids(offer_ids)}};
  if (operations.is_array() && !operations.empty()) body["operations"] = operations;
  if (has_filters(filters)) body["filters"] = filters;
  json c = call("ACCEPT", framework_id);
  c["accept"] = std::move(body);
  return c;
}

json launch_operation(const std::vector<json>& task_infos) {
  return json{{"type", "LAUNCH"}, {"launch", {{"task_infos", task_infos}}}};
}

json decline(const std::string& framework_id, const std::vector<std::string>& offer_ids,
             const json& filters) {
  json body{{"offer_ids", ids(offer_ids)}};
  if (has_filters(filters)) body["filters"] = filters;
  json c = call("DECLINE", framework_id);
  c["decline"] = std::move(body);
  return c;
}

json revive(const std::string& framework_id, const std::vector<std::string>& roles) {
  return roles_call("REVIVE", "revive", framework_id, roles);
}

json suppress(const std::string& framework_id, const std::vector<std::string>& roles) {
  return roles_call("SUPPRESS", "suppress", framework_id, roles);
}

json kill(const std::string& framework_id, const std::string& task_id,
          const std::optional<std::string>& agent_id) {
  json body{{"task_id", id(task_id)}};
  if (agent_id && !agent_id->empty()) body["agent_id"] = id(*agent_id);
  json c = call("KILL", framework_id);
  c["kill"] = std::move(body);
  return c;
}

json acknowledge(const std::string& framework_id, const std::string& agent_id,
                 const std::string& task_id, const std::string& uuid) {
  json c = call("ACKNOWLEDGE", framework_id);
  c["acknowledge"] = {{"agent_id", id(agent_id)}, {"task_id", id(task_id)}, {"uuid", uuid}};
  return c;
}

json reconcile(const std::string& framework_id, const std::vector<json>& statuses) {
  json tasks = json::array();
  for (const auto& status : statuses) {
    if (!status.is_object() || !status.contains("task_id")) continue;
    json task{{"task_id", status.at("task_id")}};
    if (status.contains("agent_id")) task["agent_id"] = status.at("agent_id");
    tasks.push_back(std::move(task));
  }
  json body = json::object();
  if (!tasks.empty()) body["tasks"] = std::move(tasks);
  json c = call("RECONCILE", framework_id);
  c["reconcile"] = std::move(body);
  return c;
}

json message(const std::string& framework_id, const std::string& agent_id,
             const std::string& executor_id, const std::string& data) {
  json c = call("MESSAGE", framework_id);
  c["message"] = {
      {"agent_id", id(agent_id)}, {"executor_id", id(executor_id)}, {"data", base64::encode(data)}};
  return c;
}

}  // namespace cairn::scheduler::calls
