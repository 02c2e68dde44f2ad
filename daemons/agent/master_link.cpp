// The agent side of the master↔agent protocol: follow the leading master
// (MasterDetector), register (or re-register with this agent's id and its
// live tasks), keep the event stream, answer pings, and reconnect with
// backoff when the master goes away or the leader changes.
#include <fmt/core.h>

#include <random>

#include "daemons/agent/agent.hpp"
#include "lib/http/api_call.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::agent {

using mesos::id_json;

void Agent::leader_changed(std::optional<std::string> url) {
  if (stopping_) return;
  const bool follows_zookeeper = detector_ && detector_->follows_zookeeper();
  if (follows_zookeeper) {
    if (url) {
      log::info("The leading master in {} is {}{}", detector_->source(), *url,
                master_url_.empty() ? "" : " (was " + master_url_ + ")");
    } else {
      log::warning("No leading master in {}{}; waiting for one to be elected", detector_->source(),
                   master_url_.empty() ? "" : " (was " + master_url_ + ")");
    }
  }
  // The old leader may still be serving (it lost its ZooKeeper session, not
  // its process): leave it at once, so that only one master has this agent.
  if (!master_url_.empty()) drop_master();
  master_url_ = url.value_or("");
  if (!url) return;  // no busy reconnecting: the detector reports the next leader
  backoff_ = options_.flags.registration_backoff_factor;
  if (!follows_zookeeper) return connect_to_master();
  // As Mesos' agents do: a random delay up to --registration_backoff_factor,
  // so that a new leader is not hit by every agent in the same instant.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<int64_t> jitter(0, backoff_.ns());
  reconnect_timer_ =
      loop_.after(Duration::nanoseconds(jitter(random)), [this] { connect_to_master(); });
}

void Agent::drop_master() {
  ++master_epoch_;
  reconnect_timer_.cancel();
  if (master_stream_) master_stream_->cancel();
  master_stream_ = nullptr;
  master_stream_id_.clear();
  registered_ = false;
  master_calls_.clear();  // updates are re-sent by their retry timers and on registration
}

void Agent::connect_to_master() {
  if (stopping_ || master_url_.empty()) return;
  const uint64_t epoch = ++master_epoch_;
  nlohmann::json tasks = nlohmann::json::array(), frameworks = nlohmann::json::array();
  for (const auto& [framework_id, framework] : frameworks_) {
    bool live = false;
    for (const auto& [executor_id, run] : framework.executors) {
      if (run.state == RunState::kTerminated) continue;
      for (const auto* group : {&run.queued, &run.launched}) {
        for (const auto& [task_id, task] : *group) {
          if (mesos::is_terminal(task.state)) continue;
          nlohmann::json t = task.info;
          t["framework_id"] = id_json(framework_id);
          t["executor_id"] = id_json(executor_id);
          t["state"] = std::string(mesos::to_string(task.state));
          tasks.push_back(t);
          live = true;
        }
      }
    }
    if (live) frameworks.push_back(framework.info);
  }
  nlohmann::json call{{"type", "REGISTER"},
                      {"register",
                       {{"agent_info", agent_info()},
                        {"version", CAIRN_VERSION},
                        {"tasks", tasks},
                        {"frameworks", frameworks}}}};
  master_decoder_ = recordio::Decoder();
  master_stream_id_.clear();
  std::weak_ptr<bool> alive = alive_;
  http::Client::StreamCallbacks callbacks;
  callbacks.on_head = [this, alive, epoch](const http::Response& head) {
    if (alive.expired() || epoch != master_epoch_) return;
    if (head.status != 200) {
      log::warning("Master refused registration: {} {}", head.status, head.body);
      return;
    }
    master_stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
  };
  callbacks.on_data = [this, alive, epoch](std::string_view data) {
    if (alive.expired() || epoch != master_epoch_) return;
    if (!master_decoder_.feed(data).ok()) return;
    while (auto record = master_decoder_.next()) {
      nlohmann::json event = nlohmann::json::parse(*record, nullptr, false);
      if (event.is_discarded() || !event.is_object()) {
        log::warning("Ignoring a malformed event from the master");
        continue;
      }
      handle_master_event(event);
    }
  };
  callbacks.on_end = [this, alive, epoch](Status status) {
    if (alive.expired() || epoch != master_epoch_) return;
    defer([this, status, epoch] {
      if (epoch != master_epoch_) return;
      master_disconnected(status.ok() ? "the master closed the stream" : status.error());
    });
  };
  Result<http::Url> url = http::Url::parse(master_url_ + "/api/v1/agent");
  if (!url.ok()) {
    log::error("Bad master URL {}: {}", master_url_, url.error());
    return;
  }
  master_stream_ =
      client_->open_stream(*url, http::api_call_request(call, ""), std::move(callbacks));
}

void Agent::master_disconnected(const std::string& why) {
  if (stopping_) return;
  if (registered_) log::warning("Lost the master at {}: {}", master_url_, why);
  registered_ = false;
  master_stream_ = nullptr;
  master_stream_id_.clear();
  master_calls_.clear();  // updates are re-sent by their retry timers
  schedule_reconnect();
}

void Agent::schedule_reconnect() {
  // Without a leader there is nobody to retry: the detector's next report
  // connects.
  if (stopping_ || master_url_.empty() || reconnect_timer_.pending()) return;
  Duration delay = backoff_;
  backoff_ = std::min(backoff_ * 2, Duration::minutes(1));
  reconnect_timer_ = loop_.after(delay, [this] { connect_to_master(); });
}

void Agent::call_master(nlohmann::json call) {
  if (!registered_ || master_stream_id_.empty() || !agent_id_) return;  // retried later
  call["agent_id"] = id_json(*agent_id_);
  // A few calls at a time over the pooled connections: a burst of updates
  // (hundreds of tasks starting) must not open a connection each.
  master_calls_.push_back(std::move(call));
  send_master_calls();
}

void Agent::send_master_calls() {
  static constexpr size_t kMaxInFlight = 4;
  Result<http::Url> url = http::Url::parse(master_url_ + "/api/v1/agent");
  if (!url.ok()) return;
  while (master_calls_in_flight_ < kMaxInFlight && !master_calls_.empty() && client_) {
    nlohmann::json call = std::move(master_calls_.front());
    master_calls_.pop_front();
    ++master_calls_in_flight_;
    std::weak_ptr<bool> alive = alive_;
    const uint64_t epoch = master_epoch_;
    client_->send(*url, http::api_call_request(call, master_stream_id_),
                  [this, alive, epoch](Result<http::Response> r) {
                    if (alive.expired()) return;
                    --master_calls_in_flight_;
                    if (epoch != master_epoch_) {
                      // Meant for a master this agent has left: the call goes out again
                      // (retry timers, re-registration) to the current one.
                      send_master_calls();
                      return;
                    }
                    if (!r.ok()) {
                      log::debug("Call to the master failed: {}", r.error());
                    } else if (r->status == 403) {
                      // Not on the master's current stream (it restarted, or we were
                      // marked unreachable): register again.
                      if (master_stream_) master_stream_->cancel();
                      master_disconnected("the master no longer knows this agent's stream");
                      return;
                    } else if (r->status >= 400) {
                      log::warning("The master refused a call: {} {}", r->status, r->body);
                    }
                    send_master_calls();
                  });
  }
}

void Agent::handle_master_event(const nlohmann::json& event) {
  std::string type = event.value("type", "");
  auto parsed = mesos::parse_fields([&]() -> bool {
    mesos::Fields f(event, "");
    if (type == "REGISTERED") {
      mesos::Fields registered = f.required_object("registered");
      std::string id = registered.required_id("agent_id");
      bool first = !agent_id_ || *agent_id_ != id;
      agent_id_ = id;
      registered_ = true;
      backoff_ = options_.flags.registration_backoff_factor;
      master_info_ = registered.get("master_info") ? *registered.get("master_info") : nlohmann::json();
      if (first) {
        Status saved = checkpointer_.save_agent(id, agent_info());
        if (!saved.ok()) log::error("Cannot checkpoint the agent id: {}", saved.error());
      }
      log::info("{} with the master at {} as agent {}", first ? "Registered" : "Re-registered",
                master_url_, id);
      resend_pending_updates();
    } else if (type == "PING") {
      // Straight out, not behind a burst of queued status updates: a late
      // PONG gets the agent marked unreachable.
      nlohmann::json pong{{"type", "PONG"}, {"agent_id", id_json(*agent_id_)}};
      Result<http::Url> url = http::Url::parse(master_url_ + "/api/v1/agent");
      if (url.ok() && client_) {
        client_->send(*url, http::api_call_request(pong, master_stream_id_),
                      [](Result<http::Response>) {});
      }
    } else if (type == "RUN_TASK") {
      mesos::Fields run = f.required_object("run_task");
      const nlohmann::json& task = run.json().at("task");
      run_task(run.json().at("framework_info"), task,
               task.contains("executor") ? task["executor"] : nlohmann::json(), nlohmann::json());
    } else if (type == "RUN_TASK_GROUP") {
      mesos::Fields run = f.required_object("run_task_group");
      run_task(run.json().at("framework_info"), nlohmann::json(), run.json().at("executor"),
               run.json().at("task_group"));
    } else if (type == "KILL_TASK") {
      mesos::Fields kill = f.required_object("kill_task");
      kill_task(kill.required_id("framework_id"), kill.required_id("task_id"),
                kill.get("kill_policy") ? *kill.get("kill_policy") : nlohmann::json());
    } else if (type == "SHUTDOWN_FRAMEWORK") {
      shutdown_framework(f.required_object("shutdown_framework").required_id("framework_id"));
    } else if (type == "SHUTDOWN_EXECUTOR") {
      mesos::Fields shutdown = f.required_object("shutdown_executor");
      if (ExecutorRun* run = find_run(shutdown.required_id("framework_id"), shutdown.required_id("executor_id"))) {
        shutdown_executor(*run, "the framework asked for SHUTDOWN");
      }
    } else if (type == "ACKNOWLEDGE") {
      mesos::Fields ack = f.required_object("acknowledge");
      acknowledged(ack.required_id("framework_id"), ack.required_id("task_id"), ack.required_string("uuid"));
    } else if (type == "MESSAGE") {
      mesos::Fields message = f.required_object("message");
      if (ExecutorRun* run = find_run(message.required_id("framework_id"), message.required_id("executor_id"))) {
        if (run->stream) {
          run->stream->send({{"type", "MESSAGE"}, {"message", {{"data", message.required_string("data")}}}});
        }
      }
    } else if (type == "APPLY_OPERATION") {
      mesos::Fields op = f.required_object("apply_operation");
      std::string op_type = op.required_string("type");
      Result<Resources> resources = Resources::from_json(op.json().at("resources"));
      if (!resources.ok()) op.fail("resources", resources.error());
      Resources plain;
      for (Resource r : *resources) {
        r.reservation.reset();
        plain += r;
      }
      if (op_type == "RESERVE") {
        options_.resources -= plain;
        options_.resources += *resources;
      } else {
        options_.resources -= *resources;
        options_.resources += plain;
      }
      if (agent_id_) {
        Status saved = checkpointer_.save_agent(*agent_id_, agent_info());
        if (!saved.ok()) log::error("Cannot checkpoint resources: {}", saved.error());
      }
    } else if (type == "SHUTDOWN") {
      // Mesos' agent exits; this one kills its work and stays, retrying
      // registration (refused while its machine is DOWN), so that no restart
      // loop is needed to come back when maintenance ends.
      std::string why = "no reason given";
      if (auto shutdown = f.optional_object("shutdown"))
        why = shutdown->optional_string("message").value_or(why);
      log::warning("The master asked this agent to shut down ({}): killing every executor", why);
      std::vector<std::string> frameworks;
      for (const auto& [id, framework] : frameworks_)
        frameworks.push_back(id);
      for (const std::string& id : frameworks) {
        shutdown_framework(id, "the master shut this agent down: " + why);
      }
    }
    return true;
  });
  if (!parsed.ok()) log::warning("Ignoring a malformed {} event from the master: {}", type, parsed.error());
}

}  // namespace cairn::agent
