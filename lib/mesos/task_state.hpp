// Mesos TaskState and the facts about it the master relies on.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace cairn::mesos {

enum class TaskState {
  kStaging,
  kStarting,
  kRunning,
  kKilling,
  kFinished,
  kFailed,
  kKilled,
  kError,
  kLost,
  kDropped,
  kUnreachable,
  kGone,
  kGoneByOperator,
  kUnknown,
};

std::string_view to_string(TaskState state);  // "TASK_RUNNING"
std::optional<TaskState> parse_task_state(std::string_view name);
const std::vector<std::string_view>& task_state_names();

// FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, GONE, GONE_BY_OPERATOR:
// the task will not run again and its resources are free.
bool is_terminal(TaskState state);

}  // namespace cairn::mesos
