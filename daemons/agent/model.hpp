// The agent's picture of what runs on it: frameworks, executor runs
// (containers) and their tasks. The Agent owns all of it on its event loop
// and checkpoints each run (checkpoint.hpp) so a restarted agent can
// reconnect to executors that kept running.
#pragma once

#include <sys/types.h>

#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lib/event/event_loop.hpp"
#include "lib/http/event_stream.hpp"
#include "lib/mesos/task_status.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::agent {

struct AgentTask {
  std::string task_id;
  std::string framework_id;
  std::string executor_id;
  mesos::TaskState state = mesos::TaskState::kStaging;
  nlohmann::json info;  // TaskInfo as the master sent it
  Resources resources;

  nlohmann::json to_json() const;
  static AgentTask from_json(const nlohmann::json& json);
};

enum class RunState { kLaunching, kRegistering, kRunning, kTerminating, kTerminated };
std::string_view to_string(RunState state);

// One executor process (and its container) and the tasks it runs.
struct ExecutorRun {
  std::string framework_id;
  std::string executor_id;
  std::string container_id;
  nlohmann::json executor_info;
  nlohmann::json framework_info;
  bool command_executor = false;  // cairn-executor running TaskInfo.command
  // A task in a Docker container (ContainerInfo type DOCKER): the agent
  // runs it through the Docker engine itself; there is no executor process.
  bool docker = false;
  std::string docker_name;     // "mesos-<container id>"
  bool kill_requested = false;
  std::string directory;          // the sandbox
  Resources resources;            // executor + tasks: the container's limits
  pid_t pid = 0;
  bool child = false;  // forked by this agent process (waitpid works)
  RunState state = RunState::kLaunching;
  double launched_at = 0;

  std::shared_ptr<http::EventStream> stream;  // agent → executor events
  std::map<std::string, AgentTask> queued;    // waiting for the executor to subscribe
  nlohmann::json queued_group;                // a LAUNCH_GROUP waiting likewise (task_group)
  std::map<std::string, AgentTask> launched;  // sent to the executor
  std::deque<AgentTask> terminated;
  Timer registration_timer;

  // Why the container ended, when the agent knows better than the executor.
  std::string limitation_reason;  // e.g. REASON_CONTAINER_LIMITATION_MEMORY
  std::string limitation_message;

  nlohmann::json to_json() const;  // the checkpoint
  static ExecutorRun from_json(const nlohmann::json& json);
};

struct AgentFramework {
  std::string id;
  nlohmann::json info;
  std::map<std::string, ExecutorRun> executors;  // by executor id
  std::deque<ExecutorRun> completed;             // bounded
};

// A status update the master has not acknowledged yet.
struct PendingUpdate {
  std::string framework_id;
  mesos::TaskStatus status;
  bool from_executor = true;  // the executor waits for ACKNOWLEDGED
};

}  // namespace cairn::agent
