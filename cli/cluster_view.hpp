// ClusterView: what the task commands (`cairn ps|ls|cat|tail|state|resolve`)
// need to know about a cluster, read from the leading master's and the
// agents' HTTP endpoints: the master URL from --master (host:port,
// http(s)://…, zk://…, file:///path holding one, or CAIRN_MASTER), the
// leader (elected in ZooKeeper, or via /master/redirect), and where a
// task's sandbox is (agent + directory).
#pragma once

#include <optional>
#include <string>

#include "cli/blocking_client.hpp"
#include "lib/base/result.hpp"
#include "lib/units/duration.hpp"

namespace cairn::cli {

// The help text of every command's --master.
inline constexpr const char* kMasterHelp =
    "The master: host:port, http(s)://host:port, zk://[user:password@]host1:2181,host2:2181/path "
    "(the leader elected there), or file:///path holding one of these.";

// How long a zk:// --master waits for ZooKeeper to name a leader.
inline constexpr Duration kLeaderDetectionTimeout = Duration::seconds(10);

// --master value → base URL of the leading master.
Result<std::string> resolve_master(BlockingClient& client, const std::string& master);

struct TaskLocation {
  std::string task_id;
  std::string framework_id;
  std::string state;
  std::string agent_url;  // http://ip:port of the agent
  std::string directory;  // the executor's sandbox on that agent
};

// Finds a task by id (or unique id prefix) among active and completed
// tasks; the error says when none or several match.
Result<TaskLocation> locate_task(BlockingClient& client, const std::string& master_url, const std::string& task);

// The master as given on the command line, or CAIRN_MASTER, or 127.0.0.1:5050.
std::string default_master();

}  // namespace cairn::cli
