// Master: the cluster's brain. One actor, running on one EventLoop, owns
// every agent, framework, offer and task (see model.hpp), the allocator and
// the registry.
//
// HTTP handlers (routes()) parse and validate requests and then call into
// the Master on the same loop; the Master changes its state, tells the
// allocator, persists what must survive through the Registry, and sends
// events down the scheduler, agent and operator streams. The code is split
// by concern: scheduler_api.cpp (frameworks), agent_api.cpp (the
// master↔agent protocol, docs/internals/agent-protocol.md), offers.cpp
// (allocation cycles, offers, ACCEPT), status_updates.cpp, operator_api.cpp,
// state_json.cpp (what the state endpoints render) and endpoints.cpp (the
// classic Mesos HTTP endpoints).
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemons/master/allocator/allocator.hpp"
#include "daemons/master/maintenance.hpp"
#include "daemons/master/master_flags.hpp"
#include "daemons/master/model.hpp"
#include "daemons/master/registry.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/router.hpp"
#include "lib/mesos/json_fields.hpp"
#include "lib/mesos/scheduler_call.hpp"
#include "lib/metrics/registry.hpp"

namespace cairn::master {

// Settings resolved from flags (and the cluster spec) before the master starts.
struct MasterOptions {
  MasterFlags flags;
  std::string cluster = "cairn";
  std::string advertised_ip = "127.0.0.1";
  std::string hostname = "localhost";
  std::map<std::string, double> weights;
  std::optional<std::vector<std::string>> whitelisted_roles;
  std::map<std::string, std::string> flag_values;  // for GET_FLAGS and /flags
};

// The machine an agent runs on, as maintenance names machines.
inline MachineId machine_of(const Agent& agent) {
  return machine_of(agent.hostname, agent.ip());
}

class Master {
 public:
  Master(EventLoop& loop, MasterOptions options, metrics::Registry& metrics,
         std::unique_ptr<Allocator> allocator, std::unique_ptr<Registry> registry);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Every endpoint of the master, for the HTTP server.
  http::Router routes();

  // Recovers the registry and starts allocating. Call on the loop thread
  // once the server is bound (so that MasterInfo has the port).
  void start(uint16_t port, std::function<void(Status)> done);
  // Closes every stream (frameworks and agents reconnect elsewhere).
  void stop();

  // HA masters (--zk) start as standbys: they serve /health, /metrics,
  // /flags, /version and /master/redirect themselves and send every other
  // request to the leader (307) until their election makes them lead.
  void standby(uint16_t port);
  // The current leader's MasterInfo as detected in ZooKeeper (nullopt: none).
  void set_leader(std::optional<nlohmann::json> master_info);
  // This master won the election: recover `registry` and start leading.
  void lead(std::unique_ptr<Registry> registry, std::function<void(Status)> done);
  bool leading() const { return recovered_ && !standby_; }

  const std::string& id() const { return id_; }
  bool recovered() const { return recovered_; }

  // Test and bench hooks: run one allocation cycle now.
  void allocate_now();

  // --- inspection (used by endpoints, tests) ---
  nlohmann::json master_info() const;
  size_t active_task_count() const;

 private:

  // scheduler_api.cpp
  void handle_scheduler_call(http::Request request, http::Responder responder);
  void subscribe(const mesos::SchedulerCall& call, http::Responder responder, bool recordio);
  http::Response framework_call(const mesos::SchedulerCall& call, const http::Request& request);
  void teardown_framework(const std::string& framework_id, const std::string& why);
  void disconnect_framework(const std::string& framework_id);
  // Seconds a disconnected framework has to come back: its own
  // failover_timeout, else --framework_failover_timeout.
  double failover_timeout(const mesos::FrameworkInfo& info) const;
  // The timer for `seconds` of failover timeout (beyond a year is forever).
  static Duration failover_delay(double seconds);
  // A framework this master knows only from the registry or an agent's
  // report (it has not re-subscribed since the master was elected): added
  // disconnected, with `info` (FrameworkInfo JSON) when there is one.
  Framework& recover_framework(const std::string& framework_id, const nlohmann::json* info,
                               const std::string& role);
  // Starts the clock of a framework in the recovered registry: torn down if
  // it has not re-subscribed within its failover timeout of the election.
  void await_framework(const std::string& framework_id, const nlohmann::json& info);
  void send_to_framework(Framework& framework, const nlohmann::json& event);
  void schedule_heartbeat(Framework& framework);
  void kill_task(Framework& framework, const mesos::SchedulerCall& call);
  void reconcile(Framework& framework, const mesos::SchedulerCall& call);
  void acknowledge(Framework& framework, const mesos::SchedulerCall& call);
  void framework_message(Framework& framework, const mesos::SchedulerCall& call);
  void shutdown_executor(Framework& framework, const mesos::SchedulerCall& call);

  // agent_api.cpp
  void handle_agent_call(http::Request request, http::Responder responder);
  void register_agent(const nlohmann::json& call, const std::string& remote_address,
                      http::Responder responder);
  // Throws mesos::FieldError on a malformed call (parsing code).
  void apply_agent_call(Agent& agent, const std::string& type, const mesos::Fields& call);
  void send_to_agent(Agent& agent, const nlohmann::json& event);
  void ping_agent(const std::string& agent_id);
  void agent_disconnected(const std::string& agent_id, const std::string& stream_id);
  void mark_unreachable(const std::string& agent_id, const std::string& why);
  // Forgets an agent that is unreachable (its tasks become UNREACHABLE or
  // LOST, and it may come back) or gone (its machine went DOWN: GONE or
  // LOST).
  enum class AgentRemoval { kUnreachable, kGone };
  void remove_agent_state(Agent& agent, AgentRemoval removal, const std::string& why);
  void add_reported_tasks(Agent& agent, const nlohmann::json& tasks, const nlohmann::json& executors);

  // offers.cpp
  void schedule_allocation();
  void run_allocation();
  void make_offer(const Allocation& allocation);
  void rescind_offer(const std::string& offer_id, bool recover, std::optional<Duration> refuse);
  void remove_offer(Offer& offer);  // forgets it everywhere (no recovery)
  http::Response accept(Framework& framework, const mesos::SchedulerCall& call);
  http::Response decline(Framework& framework, const mesos::SchedulerCall& call);
  std::optional<std::string> validate_task(const Framework& framework, const Agent& agent,
                                           const mesos::TaskInfo& task, const Resources& available,
                                           const std::set<std::string>& batch_ids) const;
  // Records a launched task (and its executor when new on the agent) and
  // returns the TaskInfo JSON to send to the agent.
  nlohmann::json add_task(Framework& framework, Agent& agent, const mesos::TaskInfo& task,
                          const Resources& allocated, const std::string& role);
  void drop_tasks(Framework& framework, const std::vector<mesos::TaskInfo>& tasks,
                  mesos::TaskState state, const std::string& reason, const std::string& message);
  nlohmann::json offer_role_resources(const Framework& framework, const Resources& resources,
                                      const std::string& role) const;

  // status_updates.cpp
  void update_task_status(const std::string& agent_id, mesos::TaskStatus status,
                          const std::string& framework_id);
  void transition(Framework& framework, Task& task, const mesos::TaskStatus& status);
  void complete_task(Framework& framework, const std::string& task_id);
  void send_status(Framework& framework, const mesos::TaskStatus& status);
  mesos::TaskStatus master_status(const Task& task, mesos::TaskState state, std::string reason,
                                  std::string message) const;

  // operator_api.cpp
  void handle_operator_call(http::Request request, http::Responder responder);
  void update_weights(std::map<std::string, double> weights, std::function<void(Status)> done);
  void update_quota(const std::string& role, Resources guarantee, std::function<void(Status)> done);
  void reserve_resources(const std::string& agent_id, const Resources& resources, bool reserve,
                         std::function<void(int, std::string)> done);
  void broadcast_operator_event(const nlohmann::json& event);
  void operator_heartbeat();

  // maintenance_api.cpp
  // Writes `next` (and the removal of the agents on machines it takes
  // down) to the registry, then applies it: offers of agents whose
  // unavailability changed are rescinded (re-offered with the new one), and
  // agents on machines now DOWN are told to shut down and removed. `done`
  // gets 200, 400 (`next` is an error: the request was invalid) or 503.
  void change_maintenance(Result<Maintenance> next, std::function<void(int, std::string)> done);

  // state_json.cpp
  nlohmann::json state_v0() const;
  nlohmann::json state_summary_v0() const;
  nlohmann::json framework_v0(const Framework& framework) const;
  nlohmann::json completed_framework_v0(const CompletedFramework& framework) const;
  nlohmann::json agent_v0(const Agent& agent) const;
  nlohmann::json task_v0(const Task& task) const;
  nlohmann::json roles_v0() const;
  nlohmann::json get_state_v1() const;
  nlohmann::json get_agents_v1() const;
  nlohmann::json get_frameworks_v1() const;
  nlohmann::json get_tasks_v1() const;
  nlohmann::json get_executors_v1() const;
  nlohmann::json get_roles_v1() const;
  nlohmann::json task_v1(const Task& task) const;
  nlohmann::json agent_v1(const Agent& agent) const;
  nlohmann::json framework_v1(const Framework& framework) const;

  // Wraps a handler that only the leader may answer (see standby()).
  http::Handler leader_only(http::Handler handler);
  // "//host:port" of the leader for redirects; nullopt when none is known.
  std::optional<std::string> leader_location() const;

  // metrics (master.cpp)
  void register_metrics();
  double uptime_secs() const;

  // ids
  std::string next_framework_id();
  std::string next_agent_id();
  std::string next_offer_id();

  // Runs fn on the loop after the current handler, unless the Master is
  // gone by then (stream close callbacks fire while it is being destroyed).
  void defer(std::function<void()> fn);

  Framework* find_framework(const std::string& id);
  Agent* find_agent(const std::string& id);

  EventLoop& loop_;
  MasterOptions options_;
  metrics::Registry& metrics_;
  std::unique_ptr<Allocator> allocator_;
  std::unique_ptr<Registry> registry_;

  std::string id_;
  uint16_t port_ = 0;
  bool recovered_ = false;
  bool standby_ = false;
  std::optional<nlohmann::json> leader_;  // standby: the leader's MasterInfo
  std::chrono::steady_clock::time_point start_time_;
  double start_time_secs_ = 0;
  double elected_time_secs_ = 0;
  uint64_t next_framework_ = 0;
  uint64_t next_agent_ = 0;
  uint64_t next_offer_ = 0;

  std::map<std::string, Agent> agents_;
  std::map<std::string, nlohmann::json> unreachable_agents_;  // id → AgentInfo
  std::map<std::string, double> unreachable_since_;
  std::map<std::string, Framework> frameworks_;
  std::deque<CompletedFramework> completed_frameworks_;
  std::map<std::string, Offer> offers_;
  std::map<std::string, Resources> quotas_;
  Maintenance maintenance_;
  std::map<std::string, double> weights_;
  std::map<std::string, std::shared_ptr<http::EventStream>> operator_streams_;
  std::set<std::string> recovering_agents_;  // admitted before a restart, not yet back
  // Frameworks recorded in the registry (id -> FrameworkInfo JSON).
  std::map<std::string, nlohmann::json> registered_frameworks_;
  // Registered frameworks that have not re-subscribed since the election,
  // each with the timer that tears it down.
  std::map<std::string, Timer> recovering_frameworks_;

  Timer allocation_timer_;
  Timer reregister_timer_;
  Timer operator_heartbeat_;
  bool allocation_pending_ = false;

  struct Counters;
  std::unique_ptr<Counters> counters_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace cairn::master
