// ExecutorClient: an executor's connection to its agent over the Mesos v1
// executor HTTP API (POST /api/v1/executor, JSON).
//
// start() POSTs SUBSCRIBE and reads the RecordIO event stream it opens,
// turning events into ExecutorHandler calls on the loop. update() records a
// status update in the StatusBuffer and POSTs it as an UPDATE call; calls go
// out one at a time, in order, each answered 202. An update stays buffered
// until an ACKNOWLEDGED event names its uuid.
//
// When the stream ends or a call fails the client resubscribes with
// jittered exponential backoff (capped by the subscription backoff maximum),
// sending every unacknowledged update and task along in the SUBSCRIBE; it
// keeps trying for the recovery timeout and then gives up
// (ExecutorHandler::agent_lost). An executor that does not checkpoint gives
// up as soon as an established subscription breaks, as Mesos' executor
// library does. Use on the loop thread only.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemons/executor/status_buffer.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/units/duration.hpp"

namespace cairn::executor {

struct ClientConfig {
  std::string api_url;  // http://<agent endpoint>/api/v1/executor
  std::string framework_id;
  std::string executor_id;
  bool checkpoint = false;
  Duration recovery_timeout = Duration::minutes(15);
  Duration backoff_max = Duration::seconds(2);
  Duration initial_backoff = Duration::milliseconds(100);
};

// The SUBSCRIBED event.
struct SubscribedInfo {
  nlohmann::json executor_info;
  nlohmann::json framework_info;
  nlohmann::json agent_info;
  nlohmann::json container_id;
  std::optional<std::string> agent_id;  // agent_info.id
  std::set<std::string> capabilities;   // of the framework, e.g. TASK_KILLING_STATE
};

// Events, delivered on the loop. The client may be called from inside them.
class ExecutorHandler {
 public:
  virtual ~ExecutorHandler() = default;
  virtual void subscribed(const SubscribedInfo& info) = 0;
  // The stream broke; the client is subscribing again.
  virtual void disconnected() {}
  virtual void launch(const nlohmann::json& task) = 0;
  virtual void launch_group(const std::vector<nlohmann::json>& tasks) = 0;
  // `grace`: the KILL's kill_policy.grace_period, when it has one.
  virtual void kill(const std::string& task_id, std::optional<Duration> grace) = 0;
  virtual void acknowledged(const std::string& /*task_id*/, const std::string& /*uuid*/) {}
  virtual void message(const std::string& /*data*/) {}
  virtual void shutdown() = 0;
  virtual void error(const std::string& message) = 0;
  // The agent is gone for good (recovery timeout, or not checkpointing).
  virtual void agent_lost(const std::string& reason) = 0;
};

class ExecutorClient {
 public:
  ExecutorClient(EventLoop& loop, ClientConfig config, ExecutorHandler& handler);
  ~ExecutorClient();  // no callback runs afterwards
  ExecutorClient(const ExecutorClient&) = delete;
  ExecutorClient& operator=(const ExecutorClient&) = delete;

  void start();
  // Closes the stream; no more calls, retries or callbacks.
  void stop();

  // Buffers `status` (a TaskStatus JSON with task_id and uuid) until it is
  // acknowledged and sends it when subscribed.
  void update(nlohmann::json status);
  // A launched task, reported in SUBSCRIBE until one of its updates is
  // acknowledged.
  void track_task(const std::string& task_id, nlohmann::json task_info);
  // A MESSAGE call with raw `data` (sent base64-encoded); best effort.
  void message(const std::string& data);

  bool subscribed() const;
  // Calls queued or waiting for their answer.
  bool calls_pending() const;
  const StatusBuffer& buffer() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::executor
