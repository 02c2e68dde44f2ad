// Mesos TaskInfo and ExecutorInfo as the master validates and forwards them.
//
// The master reads the fields it acts on (ids, resources, which executor)
// into typed members and keeps the whole JSON object in `json`, so fields it
// does not interpret (container, health_check, kill_policy, labels, data,
// discovery...) reach the agent and state endpoints exactly as sent.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::mesos {

struct ExecutorInfo {
  std::string executor_id;
  std::string type;  // "DEFAULT" or "CUSTOM" (Mesos' default when unset: CUSTOM)
  Resources resources;
  nlohmann::json json;

  // `default_role` applies to resources without a role (the framework's).
  static Result<ExecutorInfo> from_json(const nlohmann::json& json, const std::string& path,
                                        std::string_view default_role = "*");
};

struct TaskInfo {
  std::string name;
  std::string task_id;
  std::string agent_id;
  Resources resources;
  std::optional<ExecutorInfo> executor;
  bool has_command = false;
  nlohmann::json json;

  // Shape checks only (types, required fields, command/executor well
  // formed); whether the task fits its offer is the master's business.
  static Result<TaskInfo> from_json(const nlohmann::json& json, const std::string& path,
                                    std::string_view default_role = "*");
};

}  // namespace cairn::mesos
