// Agent: runs on every node. One actor on one EventLoop owns the
// frameworks, executor runs and tasks of this machine (model.hpp).
//
// It finds the leading master (a fixed --master, or the leader elected in
// ZooKeeper, lib/detector/master_detector.hpp), registers with it over the
// master↔agent protocol (docs/internals/agent-protocol.md), keeps that
// stream alive and re-registers when the leader changes; runs
// what the master asks for by launching executors in containers
// (containerizer.hpp) that subscribe back over the v1 executor API
// (POST /api/v1/executor); relays status updates to the master at least
// once (status_updates.cpp); checkpoints every run so that a restarted
// agent reconnects to executors that kept running (checkpoint.hpp); and
// serves the agent's HTTP endpoints (endpoints.cpp). Sources by concern:
// agent.cpp (lifecycle, recovery), master_link.cpp, executor_api.cpp,
// tasks.cpp (launching and killing), status_updates.cpp, endpoints.cpp.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <thread>
#include <vector>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemons/agent/agent_flags.hpp"
#include "daemons/agent/checkpoint.hpp"
#include "daemons/agent/containerizer.hpp"
#include "daemons/agent/fetcher/fetcher.hpp"
#include "daemons/agent/model.hpp"
#include "lib/detector/master_detector.hpp"
#include "lib/docker/docker_client.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/event/worker_pool.hpp"
#include "lib/http/client.hpp"
#include "lib/http/router.hpp"
#include "lib/mesos/json_fields.hpp"
#include "lib/metrics/registry.hpp"
#include "lib/recordio/recordio.hpp"
#include "lib/resources/attributes.hpp"

namespace cairn::agent {

struct AgentOptions {
  AgentFlags flags;
  // The master: http(s)://host:port, or a ZooKeeper URL (zk://..., or a
  // file:// holding one) whose elected leader the agent follows.
  std::string master_url;
  std::string advertised_ip = "127.0.0.1";
  std::string hostname = "localhost";
  Resources resources;
  Attributes attributes;
  std::string executor_path;
  std::map<std::string, std::string> flag_values;
  // Retry interval of unacknowledged status updates (Mesos: 10secs,
  // doubling up to 10mins); tests shorten it.
  Duration status_update_retry = Duration::seconds(10);
  Duration executor_check_interval = Duration::milliseconds(250);
};

class Agent {
 public:
  Agent(EventLoop& loop, AgentOptions options, metrics::Registry& metrics);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  http::Router routes();

  // Recovers checkpointed state, then registers with the master. Call on
  // the loop once the server is bound (the port goes into AgentInfo).
  Status start(uint16_t port);
  // Stops talking to the master and executors; executors keep running (an
  // agent restart or upgrade must not lose tasks).
  void stop();

  std::optional<std::string> agent_id() const { return agent_id_; }
  bool registered() const { return registered_; }

 private:
  // agent.cpp
  Status recover();
  void check_executors();
  ExecutorRun* find_run(const std::string& framework_id, const std::string& executor_id);
  // Queues the run's checkpoint; `durable` waits until it is on disk (the
  // executor's pid must be, or a restarted agent could not find it).
  void checkpoint(const ExecutorRun& run, bool durable = false);
  void register_metrics();
  void defer(std::function<void()> fn);
  nlohmann::json agent_info() const;

  // master_link.cpp
  // The detector's report: drop the current master, register with `url`
  // (or wait while there is no leader).
  void leader_changed(std::optional<std::string> url);
  void drop_master();
  void connect_to_master();
  void schedule_reconnect();
  void handle_master_event(const nlohmann::json& event);
  void call_master(nlohmann::json call);
  void send_master_calls();
  void master_disconnected(const std::string& why);

  // tasks.cpp
  void run_task(const nlohmann::json& framework_info, const nlohmann::json& task,
                const nlohmann::json& executor_info, const nlohmann::json& task_group);
  void launch_executor(ExecutorRun& run);  // sandbox, then fetch, then start_executor
  void start_executor(ExecutorRun& run);
  void kill_task(const std::string& framework_id, const std::string& task_id,
                 const nlohmann::json& kill_policy);
  // Kills every executor of the framework and forgets its pending updates;
  // `why` is logged and given as the executors' end.
  void shutdown_framework(const std::string& framework_id,
                          const std::string& why = "the framework was torn down");
  void shutdown_executor(ExecutorRun& run, const std::string& why);
  void executor_terminated(const std::string& framework_id, const std::string& executor_id,
                           std::optional<int> status);
  void send_queued_tasks(ExecutorRun& run);
  mesos::TaskStatus agent_status(const AgentTask& task, mesos::TaskState state,
                                 const std::string& reason, const std::string& message) const;

  // docker_runs.cpp
  void run_docker_task(ExecutorRun& run);
  void watch_docker(ExecutorRun& run);
  void docker_exited(const std::string& framework_id, const std::string& executor_id,
                     std::optional<int> exit_code, bool oom);
  void kill_docker(ExecutorRun& run, Duration grace);
  void recover_docker(ExecutorRun& run);

  // executor_api.cpp
  void handle_executor_call(http::Request request, http::Responder responder);
  void executor_subscribe(ExecutorRun& run, const mesos::Fields& call, http::Responder responder);

  // status_updates.cpp
  void status_update(const std::string& framework_id, mesos::TaskStatus status, bool from_executor);
  void forward_update(const std::string& framework_id, const std::string& task_id);
  void acknowledged(const std::string& framework_id, const std::string& task_id, const std::string& uuid);
  void resend_pending_updates();

  // endpoints.cpp
  nlohmann::json state_v0() const;
  nlohmann::json executor_v0(const ExecutorRun& run) const;
  nlohmann::json task_v0(const AgentTask& task) const;
  nlohmann::json monitor_statistics() const;

  EventLoop& loop_;
  AgentOptions options_;
  metrics::Registry& metrics_;
  WorkerPool workers_{loop_, 2};  // blocking work: fetching, container setup
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<Containerizer> containerizer_;
  std::shared_ptr<fetcher::Fetcher> fetcher_;  // shared with the worker threads
  std::shared_ptr<docker::DockerClient> docker_;  // with --containerizers=...,docker
  std::shared_ptr<std::atomic<bool>> docker_stop_ = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::thread> docker_threads_;      // blocking wait/log calls per container
  Checkpointer checkpointer_;

  uint16_t port_ = 0;
  std::optional<std::string> agent_id_;
  bool registered_ = false;
  bool stopping_ = false;
  double start_time_ = 0;
  nlohmann::json master_info_;
  std::unique_ptr<detector::MasterDetector> detector_;
  std::string master_url_;  // the current leader's base URL; empty while there is none
  // Bumped whenever the master connection is replaced: callbacks of an
  // older connection (a late end of stream, a 403 from the old leader)
  // must not tear down the new one.
  uint64_t master_epoch_ = 0;
  std::string master_stream_id_;
  std::shared_ptr<http::ClientStream> master_stream_;
  recordio::Decoder master_decoder_;
  Timer reconnect_timer_;
  std::deque<nlohmann::json> master_calls_;  // waiting for a free slot
  size_t master_calls_in_flight_ = 0;
  Duration backoff_;
  Timer executor_check_timer_;
  std::map<std::string, Timer> gc_timers_;  // sandbox directory → removal after --gc_delay

  std::map<std::string, AgentFramework> frameworks_;
  // Unacknowledged updates per (framework, task), oldest first; the head
  // is what the master has been sent.
  std::map<std::pair<std::string, std::string>, std::deque<PendingUpdate>> pending_updates_;
  std::map<std::pair<std::string, std::string>, Timer> update_timers_;
  std::map<std::pair<std::string, std::string>, Duration> update_backoff_;

  struct Counters;
  std::unique_ptr<Counters> counters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cairn::agent
