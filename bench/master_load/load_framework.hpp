// LoadFramework: an asynchronous Mesos v1 framework in raw JSON over
// lib/http, as a third-party framework would be written (no SDK).
//
// It SUBSCRIBEs (role "*", failover_timeout 0), launches tasks (cpus 0.1,
// mem 32, "sleep 1000") into every offer until its share of the tasks is
// launched, declines what it does not use with a 1 s filter, acknowledges
// every status update and records, per task, when the offer arrived, when
// the ACCEPT went out and when TASK_RUNNING came back. A task that ends
// before running (TASK_ERROR, TASK_DROPPED, ...) is counted and launched
// again under a new id. Calls go out in order with a few in flight at a
// time (a real framework does not open a connection per call).
//
// Everything runs on the EventLoop given to it: start(), stop() and
// figures() must be called on that loop's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/event/event_loop.hpp"
#include "lib/http/client.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::bench {

using Clock = std::chrono::steady_clock;

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

struct LoadFrameworkFigures {
  std::string framework_id;
  size_t running = 0;      // tasks in TASK_RUNNING now
  size_t outstanding = 0;  // launched, not yet running
  size_t failed = 0;       // ended before (or after) running; relaunched
  size_t offers = 0;       // offers received
  size_t declined = 0;     // offers declined
  size_t accept_calls = 0;
  size_t acknowledgements = 0;
  size_t call_errors = 0;             // calls not answered 202
  std::vector<std::string> messages;  // first few failures / errors
  std::vector<double> offer_to_running_ms;
  std::vector<double> accept_to_running_ms;
  std::optional<Clock::time_point> first_offer;
  std::optional<Clock::time_point> last_running;
};

class LoadFramework : public std::enable_shared_from_this<LoadFramework> {
 public:
  LoadFramework(EventLoop& loop, LoadFrameworkOptions options, LoadProgress& progress);
  ~LoadFramework();
  LoadFramework(const LoadFramework&) = delete;
  LoadFramework& operator=(const LoadFramework&) = delete;

  void start();  // opens the SUBSCRIBE stream
  void stop();   // closes the stream and drops every call in flight
  LoadFrameworkFigures figures() const;

 private:
  struct TaskRecord {
    Clock::time_point offer_time;
    Clock::time_point accept_time;
    bool running = false;
  };
  struct PendingCall {
    nlohmann::json body;
    std::vector<std::string> launched;  // task ids of an ACCEPT
  };

  void handle(const nlohmann::json& event);
  void handle_offers(const nlohmann::json& offers);
  void handle_update(const nlohmann::json& status);
  void call(nlohmann::json body, std::vector<std::string> launched = {});
  void pump();
  void call_failed(const PendingCall& call, const std::string& why);
  void note(const std::string& message);

  EventLoop& loop_;
  LoadFrameworkOptions options_;
  LoadProgress& progress_;
  std::optional<http::Url> url_;
  std::unique_ptr<http::Client> client_;
  std::shared_ptr<http::ClientStream> stream_;
  recordio::Decoder decoder_;
  std::string stream_id_;
  bool stopped_ = false;

  std::unordered_map<std::string, TaskRecord> tasks_;  // launched, not failed
  size_t next_task_ = 0;
  std::deque<PendingCall> queue_;
  size_t in_flight_ = 0;
  LoadFrameworkFigures figures_;
};

}  // namespace cairn::bench
