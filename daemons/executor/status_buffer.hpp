// StatusBuffer: what an executor must remember until the agent has
// acknowledged it, per the v1 executor API.
//
// Every status update the executor sends stays here until an ACKNOWLEDGED
// event names its uuid; every launched task stays here until any of its
// updates is acknowledged. Both go into the next SUBSCRIBE
// (`unacknowledged_updates`, `unacknowledged_tasks`) after the executor lost
// its agent, so that an agent that restarted learns what happened while it
// was away. Updates keep the order they were made in.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cairn::executor {

class StatusBuffer {
 public:
  struct Update {
    std::string task_id;
    std::string uuid;       // base64, as on the wire
    nlohmann::json status;  // the TaskStatus JSON
  };

  // `status` must carry task_id and uuid.
  void add_update(nlohmann::json status);
  // A task the agent gave us (TaskInfo JSON); unacknowledged until one of
  // its updates is.
  void add_task(const std::string& task_id, nlohmann::json task_info);

  // Drops the update with this uuid (and the task from the unacknowledged
  // tasks). False when no such update is held.
  bool acknowledge(const std::string& task_id, const std::string& uuid);

  bool contains(const std::string& uuid) const;
  bool empty() const { return updates_.empty(); }
  size_t size() const { return updates_.size(); }
  const std::vector<Update>& updates() const { return updates_; }

  // The `subscribe` object of a SUBSCRIBE call: unacknowledged tasks and
  // updates ({framework_id, executor_id, status}), each only when non-empty.
  nlohmann::json subscribe_payload(const std::string& framework_id,
                                   const std::string& executor_id) const;

 private:
  std::vector<Update> updates_;
  std::vector<std::pair<std::string, nlohmann::json>> tasks_;
};

}  // namespace cairn::executor
