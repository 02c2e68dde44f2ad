// Task status updates: from agents to the master's task table and on to
// frameworks. Delivery is at least once: the agent re-sends an update until
// the framework's ACKNOWLEDGE comes back through the master.
#include "daemons/master/master.hpp"
#include "daemons/master/master_counters.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::master {

namespace {
constexpr size_t kMaxStatusesPerTask = 16;
}

mesos::TaskStatus Master::master_status(const Task& task, mesos::TaskState state,
                                        std::string reason, std::string message) const {
  mesos::TaskStatus status;
  status.task_id = task.task_id;
  status.agent_id = task.agent_id;
  status.executor_id = task.executor_id;
  status.state = state;
  status.reason = std::move(reason);
  status.message = std::move(message);
  status.source = "SOURCE_MASTER";
  status.timestamp = mesos::now_seconds();
  return status;
}

void Master::send_status(Framework& framework, const mesos::TaskStatus& status) {
  send_to_framework(framework, {{"type", "UPDATE"}, {"update", {{"status", status.to_json()}}}});
}

void Master::update_task_status(const std::string& agent_id, mesos::TaskStatus status,
                                const std::string& framework_id) {
  status.agent_id = agent_id;
  Framework* framework = find_framework(framework_id);
  if (framework == nullptr) {
    counters_->invalid_status_updates->increment();
    bool gone = false;
    for (const CompletedFramework& done : completed_frameworks_) gone = gone || done.id == framework_id;
    // A torn-down framework will never acknowledge: acknowledge for it so
    // the agent stops retrying.
    if (gone && status.uuid) {
      if (Agent* agent = find_agent(agent_id)) {
        send_to_agent(*agent, {{"type", "ACKNOWLEDGE"},
                               {"acknowledge",
                                {{"framework_id", mesos::id_json(framework_id)},
                                 {"task_id", mesos::id_json(status.task_id)},
                                 {"uuid", *status.uuid}}}});
      }
    }
    return;
  }
  counters_->valid_status_updates->increment();
  auto it = framework->tasks.find(status.task_id);
  if (it == framework->tasks.end()) {
    auto unreachable = framework->unreachable_tasks.find(status.task_id);
    if (unreachable != framework->unreachable_tasks.end()) {
      // The agent is back: the task returns to the active table.
      it = framework->tasks.emplace(status.task_id, std::move(unreachable->second)).first;
      framework->unreachable_tasks.erase(unreachable);
    }
  }
  if (it != framework->tasks.end()) transition(*framework, it->second, status);
  send_status(*framework, status);
}

void Master::transition(Framework& framework, Task& task, const mesos::TaskStatus& status) {
  if (mesos::is_terminal(task.state)) return;  // already terminal: nothing changes
  task.state = status.state;
  task.statuses.push_back(status);
  if (task.statuses.size() > kMaxStatusesPerTask) task.statuses.erase(task.statuses.begin());
  broadcast_operator_event({{"type", "TASK_UPDATED"},
                            {"task_updated",
                             {{"framework_id", mesos::id_json(framework.id)},
                              {"agent_id", mesos::id_json(task.agent_id)},
                              {"state", std::string(mesos::to_string(status.state))},
                              {"status", status.to_json()}}}});
  if (!mesos::is_terminal(status.state)) return;
  auto counter = counters_->terminal_tasks.find(status.state);
  if (counter != counters_->terminal_tasks.end()) counter->second->increment();
  allocator_->recover(framework.id, task.agent_id, task.resources, std::nullopt,
                      std::chrono::steady_clock::now());
  framework.used -= task.resources;
  complete_task(framework, task.task_id);
  schedule_allocation();
}

void Master::complete_task(Framework& framework, const std::string& task_id) {
  auto it = framework.tasks.find(task_id);
  if (it == framework.tasks.end()) return;
  if (Agent* agent = find_agent(it->second.agent_id)) agent->tasks.erase({framework.id, task_id});
  framework.completed_tasks.push_back(std::move(it->second));
  framework.tasks.erase(it);
  while (framework.completed_tasks.size() > options_.flags.max_completed_tasks_per_framework) {
    framework.completed_tasks.pop_front();
  }
}

}  // namespace cairn::master
