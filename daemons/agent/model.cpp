#include "daemons/agent/model.hpp"

namespace cairn::agent {

std::string_view to_string(RunState state) {
  switch (state) {
    case RunState::kLaunching: return "LAUNCHING";
    case RunState::kRegistering: return "REGISTERING";
    case RunState::kRunning: return "RUNNING";
    case RunState::kTerminating: return "TERMINATING";
    case RunState::kTerminated: return "TERMINATED";
  }
  return "UNKNOWN";
}

nlohmann::json AgentTask::to_json() const {
  return {{"task_id", task_id},
          {"framework_id", framework_id},
          {"executor_id", executor_id},
          {"state", std::string(mesos::to_string(state))},
          {"info", info}};
}

// Checkpoints are written by this code: a malformed one throws
// nlohmann::json::exception, which Checkpointer::recover_runs reports.
AgentTask AgentTask::from_json(const nlohmann::json& json) {
  AgentTask task;
  task.task_id = json.at("task_id").get<std::string>();
  task.framework_id = json.at("framework_id").get<std::string>();
  task.executor_id = json.at("executor_id").get<std::string>();
  task.state = mesos::parse_task_state(json.at("state").get<std::string>()).value_or(mesos::TaskState::kLost);
  task.info = json.at("info");
  if (task.info.contains("resources")) {
    Result<Resources> resources = Resources::from_json(task.info["resources"]);
    if (resources.ok()) task.resources = *resources;
  }
  return task;
}

nlohmann::json ExecutorRun::to_json() const {
  nlohmann::json queued_json = nlohmann::json::array(), launched_json = nlohmann::json::array(),
                 terminated_json = nlohmann::json::array();
  for (const auto& [id, t] : queued) queued_json.push_back(t.to_json());
  for (const auto& [id, t] : launched) launched_json.push_back(t.to_json());
  for (const auto& t : terminated) terminated_json.push_back(t.to_json());
  return {{"framework_id", framework_id},
          {"executor_id", executor_id},
          {"container_id", container_id},
          {"executor_info", executor_info},
          {"framework_info", framework_info},
          {"command_executor", command_executor},
          {"docker", docker},
          {"docker_name", docker_name},
          {"kill_requested", kill_requested},
          {"directory", directory},
          {"resources", resources.to_json(ResourceFormat::kPostRefinement)},
          {"pid", pid},
          {"state", std::string(to_string(state))},
          {"launched_at", launched_at},
          {"queued", queued_json},
          {"queued_group", queued_group},
          {"launched", launched_json},
          {"terminated", terminated_json}};
}

ExecutorRun ExecutorRun::from_json(const nlohmann::json& json) {
  ExecutorRun run;
  run.framework_id = json.at("framework_id").get<std::string>();
  run.executor_id = json.at("executor_id").get<std::string>();
  run.container_id = json.at("container_id").get<std::string>();
  run.executor_info = json.at("executor_info");
  run.framework_info = json.at("framework_info");
  run.command_executor = json.value("command_executor", false);
  run.docker = json.value("docker", false);
  run.docker_name = json.value("docker_name", "");
  run.kill_requested = json.value("kill_requested", false);
  run.directory = json.at("directory").get<std::string>();
  Result<Resources> resources = Resources::from_json(json.at("resources"));
  if (resources.ok()) run.resources = *resources;
  run.pid = json.value("pid", 0);
  std::string state = json.value("state", "RUNNING");
  run.state = state == "TERMINATED" ? RunState::kTerminated : RunState::kRegistering;
  run.launched_at = json.value("launched_at", 0.0);
  for (const auto& t : json.value("queued", nlohmann::json::array())) {
    AgentTask task = AgentTask::from_json(t);
    run.queued.emplace(task.task_id, task);
  }
  run.queued_group = json.value("queued_group", nlohmann::json());
  for (const auto& t : json.value("launched", nlohmann::json::array())) {
    AgentTask task = AgentTask::from_json(t);
    run.launched.emplace(task.task_id, task);
  }
  for (const auto& t : json.value("terminated", nlohmann::json::array())) {
    run.terminated.push_back(AgentTask::from_json(t));
  }
  return run;
}

}  // namespace cairn::agent
