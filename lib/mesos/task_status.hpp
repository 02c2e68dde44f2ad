// Mesos TaskStatus: a task's state change as agents report it and
// frameworks receive it in UPDATE events.
//
// Typed members are what the master acts on; `extra` keeps every other
// field the agent or executor sent (container_status, check_status,
// labels...) so the update reaches the framework intact.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/mesos/task_state.hpp"

namespace cairn::mesos {

struct TaskStatus {
  std::string task_id;
  TaskState state = TaskState::kStaging;
  std::string message;
  std::string source;  // SOURCE_MASTER, SOURCE_AGENT, SOURCE_EXECUTOR
  std::string reason;  // REASON_... ; empty when none
  std::optional<std::string> agent_id;
  std::optional<std::string> executor_id;
  double timestamp = 0;           // seconds since the epoch
  std::optional<std::string> uuid;  // base64; present when the update needs an ACK
  std::optional<bool> healthy;
  nlohmann::json extra = nlohmann::json::object();

  static Result<TaskStatus> from_json(const nlohmann::json& json, const std::string& path);
  nlohmann::json to_json() const;
};

// Seconds since the epoch, as Mesos timestamps are written.
double now_seconds();

}  // namespace cairn::mesos
