#include "lib/mesos/task_status.hpp"

#include <chrono>
#include <set>

#include "lib/mesos/json_fields.hpp"

namespace cairn::mesos {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

Result<TaskStatus> TaskStatus::from_json(const nlohmann::json& json, const std::string& path) {
  return parse_fields([&] {
    Fields f(json, path);
    TaskStatus status;
    status.task_id = f.required_id("task_id");
    status.state = *parse_task_state(f.required_enum("state", task_state_names()));
    status.message = f.optional_string("message").value_or("");
    status.source =
        f.optional_enum("source", {"SOURCE_MASTER", "SOURCE_AGENT", "SOURCE_EXECUTOR"}).value_or("");
    status.reason = f.optional_string("reason").value_or("");
    status.agent_id = f.optional_id("agent_id");
    status.executor_id = f.optional_id("executor_id");
    status.timestamp = f.number("timestamp", 0);
    status.uuid = f.optional_string("uuid");
    if (f.has("healthy")) status.healthy = f.boolean("healthy", false);
    static const std::set<std::string> kTyped{"task_id", "state",       "message",   "source",
                                              "reason",  "agent_id",    "executor_id",
                                              "timestamp", "uuid",      "healthy"};
    for (const auto& [key, value] : json.items()) {
      if (!kTyped.count(key) && !value.is_null()) status.extra[key] = value;
    }
    return status;
  });
}

nlohmann::json TaskStatus::to_json() const {
  nlohmann::json out = extra.is_object() ? extra : nlohmann::json::object();
  out["task_id"] = id_json(task_id);
  out["state"] = std::string(to_string(state));
  if (!message.empty()) out["message"] = message;
  if (!source.empty()) out["source"] = source;
  if (!reason.empty()) out["reason"] = reason;
  if (agent_id) out["agent_id"] = id_json(*agent_id);
  if (executor_id) out["executor_id"] = id_json(*executor_id);
  out["timestamp"] = timestamp;
  if (uuid) out["uuid"] = *uuid;
  if (healthy) out["healthy"] = *healthy;
  return out;
}

}  // namespace cairn::mesos
