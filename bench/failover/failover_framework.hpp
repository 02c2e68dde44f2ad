// FailoverFramework: an asynchronous Mesos v1 framework in raw JSON over
// lib/http (no SDK) that survives a master failover, for bench/failover.
//
// It SUBSCRIBEs as a PARTITION_AWARE framework with a long failover_timeout,
// launches up to `tasks_per_agent` tasks (cpus 0.1, mem 32, "sleep 1000")
// on each agent until `tasks` are launched, declines everything else with a
// long filter and acknowledges every status update. When the bench's
// detector names a new leading master, subscribe() is called again with its
// URL: the framework re-subscribes with its framework id and records when
// SUBSCRIBED and the first OFFERS event arrived from that master (times are
// taken when the bytes come off the stream). A refused SUBSCRIBE (503 while
// the new leader recovers, no connection) is retried with the backoff of
// the scheduler SDK (lib/scheduler/backoff.hpp); a stream that ends is left
// alone until the detector names the next leader.
//
// Everything runs on the EventLoop given to it: subscribe(), stop() and
// figures() on that loop's thread; running() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/event/event_loop.hpp"
#include "lib/http/client.hpp"
#include "lib/recordio/recordio.hpp"
#include "lib/scheduler/backoff.hpp"
#include "lib/units/duration.hpp"

namespace cairn::bench {

struct FailoverFrameworkOptions {
  size_t tasks = 0;
  size_t tasks_per_agent = 10;
  double failover_timeout_seconds = 7 * 24 * 3600;  // survives any failover here
  double refuse_seconds = 3600;                     // offers it does not use
  Duration initial_backoff = Duration::seconds(1);  // the SDK's defaults
  Duration max_backoff = Duration::seconds(30);
  size_t max_calls_in_flight = 8;
};

struct FailoverFrameworkFigures {
  using Clock = std::chrono::steady_clock;
  std::string framework_id;
  std::string master;  // followed last
  // At the master followed last.
  size_t subscribe_attempts = 0;
  size_t subscribe_refusals = 0;  // SUBSCRIBE answered other than 200, or no connection
  std::string last_refusal;
  size_t subscriptions = 0;  // SUBSCRIBED events
  size_t launched = 0;
  size_t running = 0;
  size_t ended = 0;  // tasks that left TASK_RUNNING (none expected)
  size_t offers = 0;
  size_t declined = 0;
  size_t accept_calls = 0;
  size_t acknowledgements = 0;
  size_t call_errors = 0;
  bool stream_open = false;
  // From the master followed last.
  std::optional<Clock::time_point> subscribed_at;
  std::optional<Clock::time_point> first_offer_at;
  std::vector<std::string> messages;  // the first problems
  std::optional<std::string> fatal;   // a refusal that retrying cannot mend
};

class FailoverFramework : public std::enable_shared_from_this<FailoverFramework> {
 public:
  using Clock = std::chrono::steady_clock;

  FailoverFramework(EventLoop& loop, FailoverFrameworkOptions options);
  ~FailoverFramework();
  FailoverFramework(const FailoverFramework&) = delete;
  FailoverFramework& operator=(const FailoverFramework&) = delete;

  // (Re)subscribes at `master_url` ("http://ip:port"), with the framework
  // id once it has one.
  void subscribe(const std::string& master_url);
  void stop();
  FailoverFrameworkFigures figures() const;
  size_t running() const { return running_.load(); }

 private:
  struct PendingCall {
    nlohmann::json body;
    std::vector<std::string> launched;  // task ids of an ACCEPT
  };

  void open_stream();
  void subscribe_failed(uint64_t generation, const std::string& why);
  void handle(const nlohmann::json& event);
  void handle_offers(const nlohmann::json& offers);
  void handle_update(const nlohmann::json& status);
  void call(nlohmann::json body, std::vector<std::string> launched = {});
  void pump();
  void note(const std::string& message);

  EventLoop& loop_;
  FailoverFrameworkOptions options_;
  scheduler::Backoff backoff_;
  std::optional<http::Url> url_;
  std::unique_ptr<http::Client> client_;
  std::shared_ptr<http::ClientStream> stream_;
  recordio::Decoder decoder_;
  std::string stream_id_;
  Timer retry_;
  uint64_t generation_ = 0;  // one per stream: callbacks of older ones are ignored
  bool stopped_ = false;

  std::map<std::string, std::string> task_states_;  // task id -> latest state
  std::map<std::string, size_t> per_agent_;         // agent id -> tasks launched there
  size_t next_task_ = 0;
  std::deque<PendingCall> queue_;
  size_t in_flight_ = 0;
  std::atomic<size_t> running_{0};
  FailoverFrameworkFigures figures_;
};

}  // namespace cairn::bench
