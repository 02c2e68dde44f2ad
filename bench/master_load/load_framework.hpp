// LoadFramework: master_load's framework, a RawFramework
// (bench/common/raw_framework.hpp) that loads the master as fast as it takes.
//
// It SUBSCRIBEs (role "*", failover_timeout 0), launches tasks into every
// offer until its share of the tasks is launched, declines what it does not
// use with a 1 s filter, and records, per task, when the offer arrived, when
// the ACCEPT went out and when TASK_RUNNING came back. A task that ends
// before running (TASK_ERROR, TASK_DROPPED, ...) is counted and launched
// again under a new id. A refused SUBSCRIBE, a broken stream or an ERROR
// event fails the run (LoadProgress).
//
// Everything runs on the EventLoop given to it: start(), stop() and
// figures() must be called on that loop's thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/common/raw_framework.hpp"

namespace cairn::bench {

// Shared by every framework of a run; safe from any thread.
struct LoadProgress {
  std::atomic<size_t> running{0};     // tasks currently TASK_RUNNING
  std::atomic<size_t> subscribed{0};  // frameworks that got SUBSCRIBED
  std::atomic<bool> stopping{false};  // teardown: streams ending is expected

  void fail(const std::string& message);
  std::optional<std::string> failure() const;

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> failure_;
};

struct LoadFrameworkOptions {
  std::string master;              // "http://127.0.0.1:5050"
  int index = 0;                   // names the framework and its task ids
  size_t tasks = 0;                // this framework's share
  size_t max_tasks_per_offer = 0;  // 0: as many as fit
  double refuse_seconds = 1;
  size_t max_calls_in_flight = 8;
};

struct LoadFrameworkFigures : RawFrameworkCounts {
  size_t running = 0;      // tasks in TASK_RUNNING now
  size_t outstanding = 0;  // launched, not yet running
  size_t failed = 0;       // ended before (or after) running; relaunched
  std::vector<double> offer_to_running_ms;
  std::vector<double> accept_to_running_ms;
  std::optional<Clock::time_point> first_offer;
  std::optional<Clock::time_point> last_running;
};

class LoadFramework : public RawFramework {
 public:
  LoadFramework(EventLoop& loop, LoadFrameworkOptions options, LoadProgress& progress);
  ~LoadFramework() override;

  void start();  // opens the SUBSCRIBE stream
  void stop();   // closes the stream and drops every call in flight
  LoadFrameworkFigures figures() const;

 private:
  struct TaskRecord {
    Clock::time_point offer_time;
    Clock::time_point accept_time;
    bool running = false;
  };

  void stream_ended(uint64_t generation, Status status) override;
  void stream_error(const std::string& why) override;
  void subscribed() override;
  void failure_event(const nlohmann::json& event) override;
  void offers_arrived(Clock::time_point now) override;
  size_t wanted(const nlohmann::json& offer) override;
  void launching(const nlohmann::json& offer, const std::vector<std::string>& ids,
                 Clock::time_point now) override;
  void updated(const std::string& task_id, const std::string& state, const nlohmann::json& status,
               Clock::time_point now) override;
  void call_sent(const PendingCall& call, Clock::time_point now) override;
  void call_failed(const PendingCall& call) override;

  LoadFrameworkOptions options_;
  LoadProgress& progress_;
  std::unordered_map<std::string, TaskRecord> tasks_;  // launched, not failed
  LoadFrameworkFigures figures_;                       // beyond counts()
};

}  // namespace cairn::bench
