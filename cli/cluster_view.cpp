#include "cli/cluster_view.hpp"

#include <cstdlib>
#include <vector>

#include "lib/detector/master_detector.hpp"
#include "lib/zk/zk_url.hpp"

namespace cairn::cli {

std::string default_master() {
  const char* env = std::getenv("CAIRN_MASTER");
  return env != nullptr && *env ? env : "127.0.0.1:5050";
}

Result<std::string> resolve_master(BlockingClient& client, const std::string& master) {
  // The masters' election in ZooKeeper names the leader.
  if (zk::is_zk_url(master)) return detector::detect_leader_once(master, kLeaderDetectionTimeout);
  Result<std::string> normalized = detector::normalize_master_url(master, "--master");
  if (!normalized.ok()) return normalized;
  const std::string& value = *normalized;
  // Ask for the leader: a standby answers /master/redirect with its address.
  Result<http::Response> redirect = client.get(value + "/master/redirect");
  if (!redirect.ok()) return Error("cannot reach the master at " + value + ": " + redirect.error());
  if (redirect->status == 307) {
    std::string location(redirect->headers.get("Location").value_or(""));
    if (location.rfind("//", 0) == 0) return value.substr(0, value.find("//")) + location;
    if (!location.empty()) return location;
  }
  return value;
}

Result<TaskLocation> locate_task(BlockingClient& client, const std::string& master_url, const std::string& task) {
  Result<nlohmann::json> state = client.get_json(master_url + "/master/state");
  if (!state.ok()) return Error(state.error());
  std::vector<TaskLocation> matches;
  auto consider = [&](const nlohmann::json& t) {
    std::string id = t.value("id", "");
    if (id == task || id.rfind(task, 0) == 0) {
      matches.push_back({id, t.value("framework_id", ""), t.value("state", ""), t.value("slave_id", ""), ""});
    }
  };
  for (const char* key : {"frameworks", "completed_frameworks"}) {
    for (const auto& f : (*state)[key]) {
      for (const char* list : {"tasks", "unreachable_tasks", "completed_tasks"}) {
        if (f.contains(list)) {
          for (const auto& t : f[list]) consider(t);
        }
      }
    }
  }
  // An exact id wins over prefixes.
  for (const auto& m : matches) {
    if (m.task_id == task) matches = {m};
  }
  if (matches.empty()) return Error("no task with id '" + task + "' (see `cairn ps --all`)");
  if (matches.size() > 1) {
    std::string ids;
    for (const auto& m : matches) ids += " " + m.task_id;
    return Error("'" + task + "' matches several tasks:" + ids);
  }
  TaskLocation location = matches.front();
  std::string agent_id = location.agent_url;
  location.agent_url.clear();
  for (const auto& agent : (*state)["slaves"]) {
    if (agent.value("id", "") != agent_id) continue;
    std::string pid = agent.value("pid", "");  // slave(1)@ip:port
    location.agent_url = "http://" + pid.substr(pid.find('@') + 1);
  }
  if (location.agent_url.empty()) return Error("the agent of task " + location.task_id + " is not connected");
  Result<nlohmann::json> agent_state = client.get_json(location.agent_url + "/state");
  if (!agent_state.ok()) return Error(agent_state.error());
  for (const auto& f : (*agent_state)["frameworks"]) {
    for (const char* executors : {"executors", "completed_executors"}) {
      for (const auto& e : f[executors]) {
        for (const char* tasks : {"tasks", "queued_tasks", "completed_tasks"}) {
          for (const auto& t : e.value(tasks, nlohmann::json::array())) {
            if (t.value("id", "") == location.task_id) location.directory = e.value("directory", "");
          }
        }
      }
    }
  }
  if (location.directory.empty()) return Error("the agent no longer has the sandbox of task " + location.task_id);
  return location;
}

}  // namespace cairn::cli
