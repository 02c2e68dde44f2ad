// The Mesos v1 executor API on the agent: POST /api/v1/executor.
#include <fmt/core.h>

#include "daemons/agent/agent.hpp"
#include "lib/base/uuid.hpp"
#include "lib/http/api_call.hpp"
#include "lib/logging/log.hpp"

namespace cairn::agent {

using mesos::Fields;
using mesos::id_json;

void Agent::handle_executor_call(http::Request request, http::Responder responder) {
  http::ApiCallCheck check = http::check_api_call(request);
  if (!check.format) return responder.respond(std::move(check.error));
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return responder.respond(http::text_response(400, "Failed to parse body into JSON"));
  struct Header {
    std::string type, framework_id, executor_id;
  };
  auto header = mesos::parse_fields([&] {
    Fields f(body, "");
    return Header{f.required_enum("type", {"SUBSCRIBE", "UPDATE", "MESSAGE"}), f.required_id("framework_id"),
                  f.required_id("executor_id")};
  });
  if (!header.ok()) {
    return responder.respond(http::text_response(400, "Failed to validate executor::Call: " + header.error()));
  }
  ExecutorRun* run = find_run(header->framework_id, header->executor_id);
  if (run == nullptr || run->state == RunState::kTerminated) {
    return responder.respond(http::text_response(
        400, "Executor " + header->executor_id + " of framework " + header->framework_id + " is not known to this agent"));
  }
  if (header->type == "SUBSCRIBE") return executor_subscribe(*run, Fields(body, ""), std::move(responder));
  if (!run->stream) return responder.respond(http::text_response(403, "Executor is not subscribed"));

  auto handled = mesos::parse_fields([&] {
    Fields f(body, "");
    if (header->type == "UPDATE") {
      Fields update = f.required_object("update");
      const nlohmann::json* status_json = update.get("status");
      if (status_json == nullptr) update.fail("status", "required object is missing");
      Result<mesos::TaskStatus> status = mesos::TaskStatus::from_json(*status_json, "update.status");
      if (!status.ok()) throw mesos::FieldError(status.error());
      if (!status->uuid) update.fail("status.uuid", "executor updates need a uuid");
      mesos::TaskStatus s = *status;
      s.executor_id = run->executor_id;
      if (s.source.empty()) s.source = "SOURCE_EXECUTOR";
      // The kernel killed the task for its container's memory limit before
      // the agent noticed: the agent's reason is the one that explains it.
      if (s.state == mesos::TaskState::kFailed) {
        if (std::optional<Limitation> limitation = containerizer_->limitation(run->container_id)) {
          s.reason = limitation->reason;
          s.message = limitation->message;
          s.source = "SOURCE_AGENT";
        }
      }
      status_update(run->framework_id, s, true);
    } else {
      Fields message = f.required_object("message");
      call_master({{"type", "MESSAGE"},
                   {"message",
                    {{"framework_id", id_json(run->framework_id)},
                     {"executor_id", id_json(run->executor_id)},
                     {"data", message.required_string("data")}}}});
    }
    return true;
  });
  if (!handled.ok()) return responder.respond(http::text_response(400, handled.error()));
  responder.respond(http::Response(202, "", ""));
}

void Agent::executor_subscribe(ExecutorRun& run, const Fields& call, http::Responder responder) {
  auto parsed = mesos::parse_fields([&] {
    std::vector<nlohmann::json> updates, tasks;
    if (auto subscribe = call.optional_object("subscribe")) {
      for (const auto& u : subscribe->array("unacknowledged_updates")) updates.push_back(u);
      for (const auto& t : subscribe->array("unacknowledged_tasks")) tasks.push_back(t);
    }
    return std::make_pair(updates, tasks);
  });
  if (!parsed.ok()) return responder.respond(http::text_response(400, parsed.error()));

  http::Response head(200, "application/json", "");
  std::string stream_id = Uuid::random().to_string();
  std::shared_ptr<http::StreamWriter> writer = responder.stream(std::move(head));
  if (writer == nullptr) return;
  if (run.stream) run.stream->close();
  run.stream = std::make_shared<http::EventStream>(writer, stream_id);
  run.registration_timer.cancel();
  bool recovered = run.state == RunState::kRegistering && !run.launched.empty();
  if (run.state != RunState::kTerminating) run.state = RunState::kRunning;
  std::string framework_id = run.framework_id, executor_id = run.executor_id;
  writer->on_close([this, framework_id, executor_id, stream_id] {
    defer([this, framework_id, executor_id, stream_id] {
      ExecutorRun* r = find_run(framework_id, executor_id);
      if (r != nullptr && r->stream && r->stream->id() == stream_id) r->stream = nullptr;
    });
  });
  log::info("Executor {} of framework {} {}", executor_id, framework_id, recovered ? "reconnected" : "subscribed");

  nlohmann::json container{{"value", run.container_id}};
  run.stream->send({{"type", "SUBSCRIBED"},
                    {"subscribed",
                     {{"executor_info", run.executor_info},
                      {"framework_info", run.framework_info},
                      {"agent_info", agent_info()},
                      {"container_id", container}}}});

  // Tasks the executor already has (named in its unacknowledged tasks or
  // updates) were launched, whatever a lagging checkpoint says: never send
  // them again.
  auto adopt = [&](const std::string& task_id) {
    auto queued = run.queued.find(task_id);
    if (queued == run.queued.end()) return;
    run.launched.emplace(task_id, queued->second);
    run.queued.erase(queued);
  };
  for (const nlohmann::json& t : parsed->second) {
    if (t.is_object() && t.contains("task_id") && t["task_id"].is_object()) adopt(t["task_id"].value("value", ""));
  }
  for (const nlohmann::json& u : parsed->first) {
    if (u.is_object() && u.contains("status") && u["status"].is_object() && u["status"].contains("task_id") &&
        u["status"]["task_id"].is_object()) {
      adopt(u["status"]["task_id"].value("value", ""));
    }
  }

  // Updates the executor still holds: those the agent does not know yet
  // (sent while it was down) enter the status update stream now.
  std::set<std::string> known;
  for (const auto& [key, queue] : pending_updates_) {
    for (const PendingUpdate& u : queue) {
      if (u.status.uuid) known.insert(*u.status.uuid);
    }
  }
  for (const nlohmann::json& u : parsed->first) {
    if (!u.is_object() || !u.contains("status")) continue;
    Result<mesos::TaskStatus> status = mesos::TaskStatus::from_json(u["status"], "status");
    if (!status.ok() || !status->uuid || known.count(*status->uuid)) continue;
    // Only updates for tasks that are not over yet count.
    bool live = run.launched.count(status->task_id) > 0;
    if (live) {
      status_update(run.framework_id, *status, true);
    } else {
      // Already delivered and acknowledged while the executor was away.
      run.stream->send({{"type", "ACKNOWLEDGED"},
                        {"acknowledged", {{"task_id", id_json(status->task_id)}, {"uuid", *status->uuid}}}});
    }
  }
  send_queued_tasks(run);
  checkpoint(run);
}

}  // namespace cairn::agent
