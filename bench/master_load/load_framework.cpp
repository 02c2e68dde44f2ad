#include "bench/master_load/load_framework.hpp"

#include <algorithm>

namespace cairn::bench {

void LoadProgress::fail(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (!failure_) failure_ = message;
}

std::optional<std::string> LoadProgress::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

LoadFramework::LoadFramework(EventLoop& loop, LoadFrameworkOptions options, LoadProgress& progress)
    : RawFramework(loop, RawFrameworkOptions{"fw" + std::to_string(options.index) + "-t",
                                             options.refuse_seconds, options.max_calls_in_flight}),
      options_(std::move(options)),
      progress_(progress) {}

LoadFramework::~LoadFramework() {
  stop();
}

void LoadFramework::start() {
  if (Status master = set_master(options_.master); !master.ok()) {
    progress_.fail(master.error());
    return;
  }
  open_stream({{"user", "root"},
               {"name", "master-load-" + std::to_string(options_.index)},
               {"role", "*"},
               {"failover_timeout", 0}});
}

void LoadFramework::stop() {
  close();
}

LoadFrameworkFigures LoadFramework::figures() const {
  LoadFrameworkFigures out = figures_;
  static_cast<RawFrameworkCounts&>(out) = counts();
  out.outstanding = tasks_.size() - figures_.running;
  return out;
}

void LoadFramework::stream_ended(uint64_t /*generation*/, Status status) {
  if (progress_.stopping) return;
  stream_error(std::string("event stream ended") +
               (status.ok() ? std::string(" by the master") : ": " + status.error()));
}

void LoadFramework::stream_error(const std::string& why) {
  progress_.fail("framework " + std::to_string(options_.index) + ": " + why);
}

void LoadFramework::subscribed() {
  progress_.subscribed++;
}

void LoadFramework::failure_event(const nlohmann::json& event) {
  note("FAILURE event: " + event.dump());
}

void LoadFramework::offers_arrived(Clock::time_point now) {
  if (!figures_.first_offer) figures_.first_offer = now;
}

size_t LoadFramework::wanted(const nlohmann::json& /*offer*/) {
  const size_t wanted = options_.tasks > tasks_.size() ? options_.tasks - tasks_.size() : 0;
  return options_.max_tasks_per_offer > 0 ? std::min(wanted, options_.max_tasks_per_offer) : wanted;
}

void LoadFramework::launching(const nlohmann::json& /*offer*/, const std::vector<std::string>& ids,
                              Clock::time_point now) {
  for (const std::string& id : ids)
    tasks_[id] = TaskRecord{now, now, false};
}

void LoadFramework::updated(const std::string& task_id, const std::string& state,
                            const nlohmann::json& status, Clock::time_point now) {
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;  // a duplicate of a task already given up on
  TaskRecord& task = it->second;
  if (state == "TASK_RUNNING") {
    if (task.running) return;  // a re-sent update
    task.running = true;
    figures_.running++;
    figures_.offer_to_running_ms.push_back(ms_between(task.offer_time, now));
    figures_.accept_to_running_ms.push_back(ms_between(task.accept_time, now));
    figures_.last_running = now;
    progress_.running++;
    return;
  }
  if (state == "TASK_STAGING" || state == "TASK_STARTING") return;
  // Anything else ends the task: count it and launch a replacement.
  figures_.failed++;
  note(task_id + ": " + state + " " + status.value("reason", "") + " " +
       status.value("message", ""));
  if (task.running) {
    figures_.running--;
    progress_.running--;
  }
  tasks_.erase(it);
}

void LoadFramework::call_sent(const PendingCall& call, Clock::time_point now) {
  for (const std::string& id : call.launched) {
    auto it = tasks_.find(id);
    if (it != tasks_.end()) it->second.accept_time = now;
  }
}

void LoadFramework::call_failed(const PendingCall& call) {
  // Tasks of a refused ACCEPT never reach the agent: launch them again.
  for (const std::string& id : call.launched) {
    auto it = tasks_.find(id);
    if (it != tasks_.end() && !it->second.running) {
      figures_.failed++;
      tasks_.erase(it);
    }
  }
}

}  // namespace cairn::bench
