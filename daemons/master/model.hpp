// The master's picture of the cluster: agents, frameworks, offers and tasks
// as plain structs. The Master owns all of them on its event loop.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/http/event_stream.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/mesos/framework_info.hpp"
#include "lib/mesos/task_info.hpp"
#include "lib/mesos/task_status.hpp"
#include "lib/metrics/counter.hpp"
#include "lib/resources/attributes.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::master {

struct Task {
  std::string task_id;
  std::string framework_id;
  std::string agent_id;
  std::optional<std::string> executor_id;
  std::string name;
  Resources resources;  // allocated, with allocation_role
  std::string role;
  mesos::TaskState state = mesos::TaskState::kStaging;
  std::vector<mesos::TaskStatus> statuses;  // the history shown in state endpoints
  nlohmann::json info;                      // the TaskInfo as launched
  double unreachable_time = 0;              // set while TASK_UNREACHABLE
};

struct Offer {
  std::string id;
  std::string framework_id;
  std::string agent_id;
  Resources resources;
  Timer timeout;  // --offer_timeout
};

struct Executor {
  std::string executor_id;
  std::string framework_id;
  std::string agent_id;
  Resources resources;
  nlohmann::json info;
};

// The IP of an "ip:port" address.
inline std::string ip_of(const std::string& address) {
  return address.substr(0, address.rfind(':'));
}

struct Agent {
  std::string id;
  nlohmann::json info;  // AgentInfo as registered (hostname, port, resources...)
  std::string hostname;
  std::string address;  // ip:port of the agent's own API
  std::string ip() const { return ip_of(address); }
  std::string version;
  Resources total;
  Attributes attributes;
  std::vector<std::string> capabilities;
  double registered_time = 0;
  std::optional<double> reregistered_time;

  std::shared_ptr<http::EventStream> stream;  // master → agent events; null when disconnected
  bool active = false;                  // connected and offered
  uint32_t missed_pings = 0;
  bool pong_pending = false;
  Timer ping_timer;

  std::set<std::pair<std::string, std::string>> tasks;  // (framework id, task id)
  std::map<std::string, std::map<std::string, Executor>> executors;  // fw → executor id → …
  std::set<std::string> offers;
};

struct Framework {
  std::string id;
  mesos::FrameworkInfo info;
  std::shared_ptr<http::EventStream> stream;  // null when disconnected
  bool active = false;                  // subscribed and not failed over
  bool recovered = false;  // known from the registry or agents, not subscribed to this master yet
  double registered_time = 0;
  std::optional<double> reregistered_time;
  std::optional<double> unregistered_time;
  std::set<std::string> suppressed_roles;
  Timer heartbeat;
  Timer failover;  // tears the framework down when it does not come back

  std::map<std::string, Task> tasks;  // active tasks by task id
  std::map<std::string, Task> unreachable_tasks;
  std::deque<Task> completed_tasks;   // bounded by --max_completed_tasks_per_framework
  std::set<std::string> offers;
  std::shared_ptr<metrics::Counter> calls_received;
  std::shared_ptr<metrics::Counter> calls_processed;
  std::map<std::string, uint64_t> calls_by_type;
  std::map<std::string, uint64_t> events_by_type;

  // Resources allocated to the framework: used by tasks and executors plus
  // offered, for the state endpoints.
  Resources used;
  Resources offered;
};

// A framework that has been torn down, kept for the state endpoints.
struct CompletedFramework {
  std::string id;
  mesos::FrameworkInfo info;
  double registered_time = 0;
  double unregistered_time = 0;
  std::deque<Task> completed_tasks;
};

}  // namespace cairn::master
