#include "lib/mesos/task_state.hpp"

#include <array>
#include <string>

namespace cairn::mesos {

namespace {

constexpr std::array<std::pair<TaskState, std::string_view>, 14> kNames{{
    {TaskState::kStaging, "TASK_STAGING"},
    {TaskState::kStarting, "TASK_STARTING"},
    {TaskState::kRunning, "TASK_RUNNING"},
    {TaskState::kKilling, "TASK_KILLING"},
    {TaskState::kFinished, "TASK_FINISHED"},
    {TaskState::kFailed, "TASK_FAILED"},
    {TaskState::kKilled, "TASK_KILLED"},
    {TaskState::kError, "TASK_ERROR"},
    {TaskState::kLost, "TASK_LOST"},
    {TaskState::kDropped, "TASK_DROPPED"},
    {TaskState::kUnreachable, "TASK_UNREACHABLE"},
    {TaskState::kGone, "TASK_GONE"},
    {TaskState::kGoneByOperator, "TASK_GONE_BY_OPERATOR"},
    {TaskState::kUnknown, "TASK_UNKNOWN"},
}};

}  // namespace

std::string_view to_string(TaskState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "TASK_UNKNOWN";
}

std::optional<TaskState> parse_task_state(std::string_view name) {
  for (const auto& [s, n] : kNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

const std::vector<std::string_view>& task_state_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kNames) out.push_back(entry.second);
    return out;
  }();
  return names;
}

bool is_terminal(TaskState state) {
  switch (state) {
    case TaskState::kFinished:
    case TaskState::kFailed:
    case TaskState::kKilled:
    case TaskState::kError:
    case TaskState::kLost:
    case TaskState::kDropped:
    case TaskState::kGone:
    case TaskState::kGoneByOperator:
      return true;
    default:
      return false;
  }
}

}  // namespace cairn::mesos
