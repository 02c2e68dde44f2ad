// ReregisteringAgent: an agent that already runs tasks, moving to a newly
// elected master the way cairn-agent does (daemons/agent/master_link.cpp).
//
// The failover bench registers its agents and launches their tasks through
// SimulatedAgents (daemons/master/testing), which are bound to one master
// URL. When ZooKeeper names a new leader, each of them is replaced by a
// ReregisteringAgent carrying the same agent id, AgentInfo, live tasks and
// FrameworkInfos, which
//   - waits a random delay in [0, --registration_backoff_factor] (Mesos'
//     agents do so that a new leader is not hit by every agent at once),
//   - sends REGISTER with its id and its tasks on a new event stream,
//   - on a refusal (503 while the new leader recovers its registry) or a
//     broken stream, tries again after the backoff, which doubles up to a
//     minute,
//   - answers PINGs, and records when REGISTERED arrived (the master's
//     acknowledgement of the re-registration).
// Its tasks stay TASK_RUNNING and were acknowledged before the failover, so
// it sends no status updates.
//
// Everything runs on the EventLoop given to it: follow() and stop() on that
// loop's thread; the accessors are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

#include "lib/event/event_loop.hpp"
#include "lib/http/client.hpp"
#include "lib/recordio/recordio.hpp"
#include "lib/units/duration.hpp"

namespace cairn::bench {

struct ReregisteringAgentOptions {
  std::string agent_id;
  nlohmann::json agent_info;                            // AgentInfo, with its id
  nlohmann::json tasks = nlohmann::json::array();       // live tasks, as REGISTER reports them
  nlohmann::json frameworks = nlohmann::json::array();  // FrameworkInfos of those tasks
  Duration backoff_factor = Duration::seconds(1);       // cairn-agent's default
  uint64_t seed = 0;                                    // of the jitter
};

class ReregisteringAgent : public std::enable_shared_from_this<ReregisteringAgent> {
 public:
  using Clock = std::chrono::steady_clock;

  ReregisteringAgent(EventLoop& loop, ReregisteringAgentOptions options);
  ~ReregisteringAgent();
  ReregisteringAgent(const ReregisteringAgent&) = delete;
  ReregisteringAgent& operator=(const ReregisteringAgent&) = delete;

  // The detector names `master_url` ("http://ip:port") as the leader:
  // leave the current master and re-register there after the jitter.
  void follow(const std::string& master_url);
  // Closes the stream and cancels every timer; no callback runs afterwards.
  void stop();

  // When REGISTERED arrived from the master followed last (nullopt: not yet).
  std::optional<Clock::time_point> registered_at() const;
  size_t attempts() const { return attempts_.load(); }  // REGISTER calls sent
  size_t refusals() const { return refusals_.load(); }  // answered other than 200
  size_t broken() const { return broken_.load(); }      // streams that ended or failed
  std::string last_problem() const;
  size_t task_count() const { return options_.tasks.size(); }

 private:
  void connect();
  void disconnected(const std::string& why);
  void handle(const nlohmann::json& event);
  void note(const std::string& problem);

  EventLoop& loop_;
  ReregisteringAgentOptions options_;
  std::unique_ptr<http::Client> client_;
  std::optional<http::Url> url_;
  std::shared_ptr<http::ClientStream> stream_;
  recordio::Decoder decoder_;
  std::string stream_id_;
  Timer timer_;
  Duration backoff_;
  uint64_t epoch_ = 0;  // callbacks of an older connection are ignored
  bool registered_ = false;
  bool stopped_ = false;
  std::mt19937_64 random_;

  std::atomic<int64_t> registered_ns_{0};  // Clock's time_since_epoch; 0: not registered
  std::atomic<size_t> attempts_{0};
  std::atomic<size_t> refusals_{0};
  std::atomic<size_t> broken_{0};
  mutable std::mutex mutex_;
  std::string last_problem_;
};

}  // namespace cairn::bench
