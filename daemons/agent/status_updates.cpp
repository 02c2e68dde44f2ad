// Status updates, delivered at least once: each update is checkpointed,
// sent to the master, and re-sent (10secs doubling to 10mins, as Mesos'
// status update manager) until the master relays the framework's
// acknowledgement; updates of one task go out in order, one at a time.
#include <fmt/core.h>

#include "daemons/agent/agent.hpp"
#include "daemons/agent/agent_counters.hpp"
#include "lib/base/base64.hpp"
#include "lib/base/uuid.hpp"
#include "lib/logging/log.hpp"

namespace cairn::agent {

using mesos::id_json;

void Agent::status_update(const std::string& framework_id, mesos::TaskStatus status, bool from_executor) {
  if (!status.uuid) status.uuid = base64::encode(Uuid::random().bytes());
  status.agent_id = agent_id_;
  if (status.timestamp == 0) status.timestamp = mesos::now_seconds();
  counters_->valid_status_updates->increment();

  // Find the task and move it along.
  auto framework = frameworks_.find(framework_id);
  ExecutorRun* owner = nullptr;
  if (framework != frameworks_.end()) {
    for (auto& [executor_id, run] : framework->second.executors) {
      for (auto* table : {&run.queued, &run.launched}) {
        auto it = table->find(status.task_id);
        if (it == table->end()) continue;
        owner = &run;
        AgentTask& task = it->second;
        if (mesos::is_terminal(task.state)) {
          // Already over (e.g. the agent reported a memory limitation
          // first): the executor's late word changes nothing.
          if (from_executor && run.stream) {
            run.stream->send({{"type", "ACKNOWLEDGED"},
                              {"acknowledged", {{"task_id", id_json(status.task_id)}, {"uuid", *status.uuid}}}});
          }
          return;
        }
        task.state = status.state;
        if (mesos::is_terminal(status.state)) {
          switch (status.state) {
            case mesos::TaskState::kFinished: counters_->tasks_finished->increment(); break;
            case mesos::TaskState::kFailed: counters_->tasks_failed->increment(); break;
            case mesos::TaskState::kKilled: counters_->tasks_killed->increment(); break;
            default: counters_->tasks_lost->increment(); break;
          }
          run.resources -= task.resources;
          run.terminated.push_back(task);
          while (run.terminated.size() > 1000) run.terminated.pop_front();
          table->erase(it);
          if (run.state != RunState::kTerminated) {
            Status updated = containerizer_->update(run.container_id, run.resources);
            if (!updated.ok()) log::debug("limits of {}: {}", run.container_id, updated.error());
          }
        }
        break;
      }
      if (owner != nullptr) break;
    }
  }
  if (owner == nullptr) counters_->invalid_status_updates->increment();

  auto key = std::make_pair(framework_id, status.task_id);
  auto& queue = pending_updates_[key];
  queue.push_back({framework_id, status, from_executor});
  // A task's new state must be on disk before the update goes out: the
  // executor forgets an update once it is acknowledged, so after a crash
  // only the checkpoint can say the task got that far.
  if (owner != nullptr) checkpoint(*owner, /*durable=*/true);
  if (queue.size() == 1) {
    update_backoff_[key] = options_.status_update_retry;
    forward_update(framework_id, status.task_id);
  }
}

void Agent::forward_update(const std::string& framework_id, const std::string& task_id) {
  auto key = std::make_pair(framework_id, task_id);
  auto it = pending_updates_.find(key);
  if (it == pending_updates_.end() || it->second.empty()) return;
  const PendingUpdate& head = it->second.front();
  call_master({{"type", "UPDATE"},
               {"update", {{"framework_id", id_json(framework_id)}, {"status", head.status.to_json()}}}});
  Duration delay = update_backoff_.count(key) ? update_backoff_[key] : options_.status_update_retry;
  update_backoff_[key] = std::min(delay * 2, Duration::minutes(10));
  update_timers_[key] = loop_.after(delay, [this, framework_id, task_id] { forward_update(framework_id, task_id); });
}

void Agent::acknowledged(const std::string& framework_id, const std::string& task_id, const std::string& uuid) {
  auto key = std::make_pair(framework_id, task_id);
  auto it = pending_updates_.find(key);
  if (it == pending_updates_.end() || it->second.empty()) return;
  if (!it->second.front().status.uuid || *it->second.front().status.uuid != uuid) {
    log::debug("Ignoring an acknowledgement of {} for an update that is not the oldest", task_id);
    return;
  }
  PendingUpdate done = it->second.front();
  it->second.pop_front();
  update_timers_.erase(key);
  ExecutorRun* run = nullptr;
  if (done.status.executor_id) run = find_run(framework_id, *done.status.executor_id);
  if (run == nullptr) {
    auto framework = frameworks_.find(framework_id);
    if (framework != frameworks_.end()) {
      for (auto& [eid, r] : framework->second.executors) {
        for (const auto& t : r.terminated) {
          if (t.task_id == task_id) run = &r;
        }
        if (r.launched.count(task_id) || r.queued.count(task_id)) run = &r;
      }
    }
  }
  if (done.from_executor && run != nullptr && run->stream) {
    run->stream->send({{"type", "ACKNOWLEDGED"}, {"acknowledged", {{"task_id", id_json(task_id)}, {"uuid", uuid}}}});
  }
  if (it->second.empty()) {
    pending_updates_.erase(it);
    update_backoff_.erase(key);
  } else {
    update_backoff_[key] = options_.status_update_retry;
    forward_update(framework_id, task_id);
  }
  if (run != nullptr) checkpoint(*run);
}

void Agent::resend_pending_updates() {
  for (auto& [key, queue] : pending_updates_) {
    if (queue.empty()) continue;
    update_backoff_[key] = options_.status_update_retry;
    forward_update(key.first, key.second);
  }
}

}  // namespace cairn::agent
