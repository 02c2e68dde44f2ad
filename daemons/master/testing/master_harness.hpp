// In-process test harness for the master: a Master and its HTTP server on
// their own EventLoop and ephemeral port, and a raw Mesos v1 scheduler
// client that speaks JSON over HTTP exactly as a third-party framework
// would (no SDK). Used by the master's tests and benchmarks.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "daemons/master/election.hpp"
#include "daemons/master/master.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/client.hpp"
#include "lib/http/server.hpp"
#include "lib/metrics/registry.hpp"

namespace cairn::master::testing {

// Fast timeouts so tests do not wait on production defaults.
MasterFlags test_master_flags(const std::string& work_dir);

// With flags.zk set, the master runs as an HA master: it starts as a
// standby and leads once elected (stepped_down() tells when it would have
// restarted itself).
class MasterProcess {
 public:
  explicit MasterProcess(MasterFlags flags);
  ~MasterProcess();

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  EventLoop& loop() { return loop_; }
  Master& master() { return *master_; }
  metrics::Registry& metrics() { return metrics_; }
  bool leading() { return loop_.call([&] { return master_->leading(); }); }
  // Why an HA master stepped down (empty while it has not).
  std::string stepped_down() { return loop_.call([&] { return stepped_down_; }); }

 private:
  EventLoop loop_;
  metrics::Registry metrics_;
  std::unique_ptr<Master> master_;
  std::unique_ptr<MasterElection> election_;
  std::string stepped_down_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

// Blocking HTTP calls for tests, on a loop thread of its own.
class TestClient {
 public:
  TestClient();
  ~TestClient();
  http::Response send(const std::string& url, http::Request request);
  http::Response get(const std::string& url);
  http::Response post_json(const std::string& url, const nlohmann::json& body,
                           const std::string& stream_id = "");
  EventLoop& loop() { return loop_; }

 private:
  EventLoop loop_;
  std::unique_ptr<http::Client> client_;
};

// A framework speaking the v1 scheduler API in raw JSON.
class RawScheduler {
 public:
  RawScheduler(TestClient& client, std::string master_url);
  ~RawScheduler();

  // Opens the SUBSCRIBE stream; returns the HTTP status of its head.
  int subscribe(const nlohmann::json& framework_info);
  // Drops the connection (the framework process "dies").
  void disconnect();
  // Waits for the next event of `type` (consuming it and earlier events of
  // other types are kept). Empty JSON after `timeout`.
  nlohmann::json wait_for(const std::string& type, Duration timeout = Duration::seconds(10));
  http::Response call(nlohmann::json body);

  std::string framework_id() const;
  std::string stream_id() const;
  bool stream_ended() const;

 private:
  TestClient& client_;
  std::string url_;
  std::unique_ptr<http::Client> stream_client_;
  std::shared_ptr<http::ClientStream> stream_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<nlohmann::json> events_;
  std::string framework_id_;
  std::string stream_id_;
  int status_ = 0;
  bool ended_ = false;
  std::shared_ptr<struct RawSchedulerDecoder> decoder_;
};

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, Duration timeout = Duration::seconds(10));

}  // namespace cairn::master::testing
