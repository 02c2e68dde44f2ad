// SimulatedAgent: an agent without executors that speaks the real
// master↔agent protocol over real HTTP (docs/internals/agent-protocol.md).
//
// Master tests and bench/master-load use it to stand in for cairn-agent:
// it registers (or re-registers with a known id and its tasks), answers
// pings, "runs" tasks by reporting TASK_RUNNING, kills them on request,
// and re-sends every status update until the master relays the
// framework's acknowledgement — the same at-least-once contract as the
// real agent. It runs on the caller's EventLoop; the accessors are safe
// from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/event/event_loop.hpp"
#include "lib/mesos/task_state.hpp"
#include "lib/units/duration.hpp"

namespace cairn::master::testing {

struct SimulatedAgentOptions {
  std::string master;  // "http://127.0.0.1:5050"
  std::string hostname = "agent.local";
  std::string ip = "127.0.0.1";
  uint16_t port = 5051;
  std::string resources = "cpus:8;mem:16384;disk:100000;ports:[31000-32000]";
  std::string attributes;
  bool run_tasks = true;     // report TASK_RUNNING for every RUN_TASK
  bool answer_pings = true;  // false: play dead while staying connected
  Duration update_retry = Duration::seconds(1);
  std::optional<std::string> agent_id;  // re-register with this id
};

class SimulatedAgent {
 public:
  SimulatedAgent(EventLoop& loop, SimulatedAgentOptions options);
  ~SimulatedAgent();
  SimulatedAgent(const SimulatedAgent&) = delete;
  SimulatedAgent& operator=(const SimulatedAgent&) = delete;

  // Connects (registers, or re-registers with the id from a previous
  // connection or options.agent_id). Loop thread or before the loop runs.
  void start();
  // Drops the connection as a crashed agent would; tasks are kept so that
  // start() re-registers with them.
  void disconnect();
  // Points it at another master (a newly elected leader); the next start()
  // re-registers there. Loop thread.
  void follow(std::string master);

  // Reports a state change of a task (loop thread).
  void send_status(const std::string& framework_id, const std::string& task_id,
                   mesos::TaskState state, const std::string& message = "");

  // Thread-safe views for tests.
  std::optional<std::string> agent_id() const;
  bool registered() const;
  std::string refusal() const;  // the last refused registration ("403 why"), or ""
  std::map<std::string, mesos::TaskState> tasks() const;  // task id → state
  size_t pending_updates() const;
  size_t acknowledgements() const;
  std::vector<nlohmann::json> events() const;  // every event received
  void set_answer_pings(bool answer);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::master::testing
