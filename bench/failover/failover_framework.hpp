// FailoverFramework: the failover bench's framework, a RawFramework
// (bench/common/raw_framework.hpp) that survives a master failover.
//
// It SUBSCRIBEs as a PARTITION_AWARE framework with a long failover_timeout,
// launches up to `tasks_per_agent` tasks on each agent until `tasks` are
// launched and declines everything else with a long filter. When the
// bench's detector names a new leading master, subscribe() is called again
// with its URL: the framework re-subscribes with its framework id and
// records when SUBSCRIBED and the first OFFERS event arrived from that
// master (times are taken when the bytes come off the stream). A refused
// SUBSCRIBE (503 while the new leader recovers, no connection) is retried
// with the backoff of the scheduler SDK (lib/scheduler/backoff.hpp); a
// stream that ends is left alone until the detector names the next leader.
//
// Everything runs on the EventLoop given to it: subscribe(), stop() and
// figures() on that loop's thread; running() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/common/raw_framework.hpp"
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

struct FailoverFrameworkFigures : RawFrameworkCounts {
  std::string master;  // followed last
  // At the master followed last.
  size_t subscribe_attempts = 0;
  size_t subscribe_refusals = 0;  // SUBSCRIBE answered other than 200, or no connection
  std::string last_refusal;
  size_t subscriptions = 0;  // SUBSCRIBED events
  size_t launched = 0;
  size_t running = 0;
  size_t ended = 0;  // tasks that left TASK_RUNNING (none expected)
  bool stream_open = false;
  // From the master followed last.
  std::optional<Clock::time_point> subscribed_at;
  std::optional<Clock::time_point> first_offer_at;
  std::optional<std::string> fatal;  // a refusal that retrying cannot mend
};

class FailoverFramework : public RawFramework {
 public:
  FailoverFramework(EventLoop& loop, FailoverFrameworkOptions options);
  ~FailoverFramework() override;

  // (Re)subscribes at `master_url` ("http://ip:port"), with the framework
  // id once it has one.
  void subscribe(const std::string& master_url);
  void stop();
  FailoverFrameworkFigures figures() const;
  size_t running() const { return running_.load(); }

 private:
  void resubscribe();
  void subscribe_failed(uint64_t generation, const std::string& why);
  void refused(const http::Response& head) override;
  void stream_ended(uint64_t generation, Status status) override;
  void stream_error(const std::string& why) override;
  void subscribed() override;
  void offers_arrived(Clock::time_point now) override;
  size_t wanted(const nlohmann::json& offer) override;
  void launching(const nlohmann::json& offer, const std::vector<std::string>& ids,
                 Clock::time_point now) override;
  void updated(const std::string& task_id, const std::string& state, const nlohmann::json& status,
               Clock::time_point now) override;

  FailoverFrameworkOptions options_;
  scheduler::Backoff backoff_;
  Timer retry_;
  std::map<std::string, std::string> task_states_;  // task id -> latest state
  std::map<std::string, size_t> per_agent_;         // agent id -> tasks launched there
  std::atomic<size_t> running_{0};
  FailoverFrameworkFigures figures_;  // beyond counts()
};

}  // namespace cairn::bench
