#include "daemons/executor/status_buffer.hpp"

#include <algorithm>

namespace cairn::executor {

namespace {

std::string string_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

nlohmann::json id(const std::string& value) {
  return {{"value", value}};
}

}  // namespace

void StatusBuffer::add_update(nlohmann::json status) {
  Update update;
  if (auto task = status.find("task_id"); task != status.end() && task->is_object()) {
    update.task_id = string_at(*task, "value");
  }
  update.uuid = string_at(status, "uuid");
  update.status = std::move(status);
  updates_.push_back(std::move(update));
}

void StatusBuffer::add_task(const std::string& task_id, nlohmann::json task_info) {
  for (const auto& [id, info] : tasks_) {
    if (id == task_id) return;
  }
  tasks_.emplace_back(task_id, std::move(task_info));
}

bool StatusBuffer::acknowledge(const std::string& task_id, const std::string& uuid) {
  auto it = std::find_if(updates_.begin(), updates_.end(),
                         [&](const Update& u) { return u.uuid == uuid; });
  if (it == updates_.end()) return false;
  const std::string owner = it->task_id.empty() ? task_id : it->task_id;
  updates_.erase(it);
  std::erase_if(tasks_, [&](const auto& entry) { return entry.first == owner; });
  return true;
}

bool StatusBuffer::contains(const std::string& uuid) const {
  return std::any_of(updates_.begin(), updates_.end(),
                     [&](const Update& u) { return u.uuid == uuid; });
}

nlohmann::json StatusBuffer::subscribe_payload(const std::string& framework_id,
                                               const std::string& executor_id) const {
  nlohmann::json subscribe = nlohmann::json::object();
  if (!tasks_.empty()) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& [task_id, info] : tasks_)
      tasks.push_back(info);
    subscribe["unacknowledged_tasks"] = std::move(tasks);
  }
  if (!updates_.empty()) {
    nlohmann::json updates = nlohmann::json::array();
    for (const Update& u : updates_) {
      updates.push_back({{"framework_id", id(framework_id)},
                         {"executor_id", id(executor_id)},
                         {"status", u.status}});
    }
    subscribe["unacknowledged_updates"] = std::move(updates);
  }
  return subscribe;
}

}  // namespace cairn::executor
