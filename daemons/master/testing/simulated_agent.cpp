#include "daemons/master/testing/simulated_agent.hpp"

#include <fmt/core.h>

#include <deque>

#include "lib/base/base64.hpp"
#include "lib/base/uuid.hpp"
#include "lib/http/api_call.hpp"
#include "lib/http/client.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/task_status.hpp"
#include "lib/recordio/recordio.hpp"
#include "lib/resources/attributes.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::master::testing {

struct SimulatedTask {
  std::string framework_id;
  mesos::TaskState state = mesos::TaskState::kStaging;
  nlohmann::json info;
};

struct PendingUpdate {
  std::string framework_id;
  nlohmann::json status;
  Timer retry;
};

struct SimulatedAgent::Impl : std::enable_shared_from_this<SimulatedAgent::Impl> {
  Impl(EventLoop& l, SimulatedAgentOptions o) : loop(l), options(std::move(o)), client(l) {}

  EventLoop& loop;
  SimulatedAgentOptions options;
  http::Client client;
  std::shared_ptr<http::ClientStream> stream;
  recordio::Decoder decoder;
  std::string stream_id;

  mutable std::mutex mutex;  // guards what tests read
  std::optional<std::string> id;
  bool is_registered = false;
  std::string refusal;  // the last refused registration: "<status> <body>"
  bool answer_pings = true;
  std::map<std::string, SimulatedTask> tasks;  // by task id
  std::map<std::string, nlohmann::json> frameworks;
  std::map<std::string, PendingUpdate> pending;  // by uuid (base64)
  size_t acks = 0;
  std::vector<nlohmann::json> received;

  http::Url url() const { return *http::Url::parse(options.master + "/api/v1/agent"); }

  http::Request request(const nlohmann::json& call) const {
    return http::api_call_request(call, stream_id);
  }

  // At most a few calls in flight, as the real agent does: a burst of
  // updates must not open one connection each.
  std::deque<nlohmann::json> queued_calls;
  size_t in_flight = 0;

  void call(const nlohmann::json& body) {
    queued_calls.push_back(body);
    pump_calls();
  }

  void pump_calls() {
    while (in_flight < 4 && !queued_calls.empty()) {
      nlohmann::json body = std::move(queued_calls.front());
      queued_calls.pop_front();
      ++in_flight;
      std::weak_ptr<Impl> weak = shared_from_this();
      client.send(url(), request(body), [weak](Result<http::Response> response) {
        if (!response.ok()) log::debug("simulated agent call failed: {}", response.error());
        if (auto self = weak.lock()) {
          --self->in_flight;
          self->pump_calls();
        }
      });
    }
  }

  void start() {
    Result<Resources> resources = Resources::parse(options.resources);
    Result<Attributes> attributes = Attributes::parse(options.attributes);
    nlohmann::json info{{"hostname", options.hostname},
                        {"port", options.port},
                        {"ip", options.ip},
                        {"resources", resources.ok() ? resources->to_json(ResourceFormat::kPostRefinement)
                                                     : nlohmann::json::array()}};
    if (attributes.ok() && !attributes->empty()) info["attributes"] = attributes->to_json();
    nlohmann::json tasks_json = nlohmann::json::array(), frameworks_json = nlohmann::json::array();
    {
      std::lock_guard lock(mutex);
      if (!id && options.agent_id) id = options.agent_id;
      if (id) info["id"] = {{"value", *id}};
      for (const auto& [task_id, task] : tasks) {
        nlohmann::json t = task.info;
        t["framework_id"] = {{"value", task.framework_id}};
        t["state"] = std::string(mesos::to_string(task.state));
        tasks_json.push_back(t);
      }
      for (const auto& [fid, f] : frameworks) frameworks_json.push_back(f);
    }
    nlohmann::json body{{"type", "REGISTER"},
                        {"register",
                         {{"agent_info", info},
                          {"version", CAIRN_VERSION},
                          {"tasks", tasks_json},
                          {"frameworks", frameworks_json}}}};
    stream_id.clear();
    decoder = recordio::Decoder();
    std::weak_ptr<Impl> weak = shared_from_this();
    http::Client::StreamCallbacks callbacks;
    callbacks.on_head = [weak](const http::Response& head) {
      auto self = weak.lock();
      if (!self) return;
      if (head.status != 200) {
        log::warning("simulated agent: registration refused: {} {}", head.status, head.body);
        std::lock_guard lock(self->mutex);
        self->refusal = std::to_string(head.status) + " " + head.body;
        return;
      }
      self->stream_id = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
    };
    callbacks.on_data = [weak](std::string_view data) {
      auto self = weak.lock();
      if (!self) return;
      if (!self->decoder.feed(data).ok()) return;
      while (auto record = self->decoder.next()) {
        nlohmann::json event = nlohmann::json::parse(*record, nullptr, false);
        if (!event.is_discarded()) self->handle(event);
      }
    };
    callbacks.on_end = [weak](Status) {
      auto self = weak.lock();
      if (!self) return;
      std::lock_guard lock(self->mutex);
      self->is_registered = false;
    };
    stream = client.open_stream(url(), request(body), std::move(callbacks));
  }

  void disconnect() {
    if (stream) stream->cancel();
    stream = nullptr;
    std::lock_guard lock(mutex);
    is_registered = false;
    for (auto& [uuid, update] : pending) update.retry.cancel();
  }

  void handle(const nlohmann::json& event) {
    std::string type = event.value("type", "");
    {
      std::lock_guard lock(mutex);
      received.push_back(event);
    }
    if (type == "REGISTERED") {
      {
        std::lock_guard lock(mutex);
        id = event["registered"]["agent_id"]["value"].get<std::string>();
        is_registered = true;
      }
      resend_all();
    } else if (type == "PING") {
      bool answer;
      {
        std::lock_guard lock(mutex);
        answer = answer_pings;
      }
      if (answer) call({{"type", "PONG"}, {"agent_id", {{"value", *id}}}});
    } else if (type == "RUN_TASK" || type == "RUN_TASK_GROUP") {
      const nlohmann::json& payload = event[type == "RUN_TASK" ? "run_task" : "run_task_group"];
      std::string framework_id = payload["framework_info"]["id"]["value"];
      std::vector<nlohmann::json> infos;
      if (type == "RUN_TASK") {
        infos.push_back(payload["task"]);
      } else {
        for (const auto& t : payload["task_group"]["tasks"]) infos.push_back(t);
      }
      {
        std::lock_guard lock(mutex);
        frameworks[framework_id] = payload["framework_info"];
        for (const auto& info : infos) {
          tasks[info["task_id"]["value"]] = SimulatedTask{framework_id, mesos::TaskState::kStaging, info};
        }
      }
      if (options.run_tasks) {
        for (const auto& info : infos) {
          send_status(framework_id, info["task_id"]["value"], mesos::TaskState::kRunning, "");
        }
      }
    } else if (type == "KILL_TASK") {
      std::string framework_id = event["kill_task"]["framework_id"]["value"];
      std::string task_id = event["kill_task"]["task_id"]["value"];
      send_status(framework_id, task_id, mesos::TaskState::kKilled, "Killed by the framework");
    } else if (type == "SHUTDOWN_FRAMEWORK") {
      std::string framework_id = event["shutdown_framework"]["framework_id"]["value"];
      std::lock_guard lock(mutex);
      for (auto it = tasks.begin(); it != tasks.end();) {
        it = it->second.framework_id == framework_id ? tasks.erase(it) : std::next(it);
      }
      for (auto it = pending.begin(); it != pending.end();) {
        it = it->second.framework_id == framework_id ? pending.erase(it) : std::next(it);
      }
    } else if (type == "ACKNOWLEDGE") {
      std::string uuid = event["acknowledge"]["uuid"];
      std::lock_guard lock(mutex);
      if (pending.erase(uuid) > 0) acks++;
    }
  }

  void send_status(const std::string& framework_id, const std::string& task_id,
                   mesos::TaskState state, const std::string& message) {
    std::string uuid = base64::encode(Uuid::random().bytes());
    nlohmann::json status{{"task_id", {{"value", task_id}}},
                          {"state", std::string(mesos::to_string(state))},
                          {"source", "SOURCE_EXECUTOR"},
                          {"timestamp", mesos::now_seconds()},
                          {"uuid", uuid}};
    if (!message.empty()) status["message"] = message;
    {
      std::lock_guard lock(mutex);
      if (id) status["agent_id"] = {{"value", *id}};
      auto task = tasks.find(task_id);
      if (task != tasks.end()) task->second.state = state;
      pending[uuid] = PendingUpdate{framework_id, status, {}};
    }
    deliver(uuid);
  }

  void deliver(const std::string& uuid) {
    nlohmann::json body;
    {
      std::lock_guard lock(mutex);
      auto it = pending.find(uuid);
      if (it == pending.end() || !is_registered) return;
      body = {{"type", "UPDATE"},
              {"agent_id", {{"value", *id}}},
              {"update", {{"framework_id", {{"value", it->second.framework_id}}}, {"status", it->second.status}}}};
      std::weak_ptr<Impl> weak = shared_from_this();
      it->second.retry = loop.after(options.update_retry, [weak, uuid] {
        if (auto self = weak.lock()) self->deliver(uuid);
      });
    }
    call(body);
  }

  void resend_all() {
    std::vector<std::string> uuids;
    {
      std::lock_guard lock(mutex);
      for (const auto& [uuid, update] : pending) uuids.push_back(uuid);
    }
    for (const std::string& uuid : uuids) deliver(uuid);
  }
};

SimulatedAgent::SimulatedAgent(EventLoop& loop, SimulatedAgentOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(options))) {
  impl_->answer_pings = impl_->options.answer_pings;
}

SimulatedAgent::~SimulatedAgent() {
  // Timers and the client belong to the loop: release them there.
  if (impl_->loop.in_loop_thread()) {
    impl_->disconnect();
    impl_->pending.clear();
  } else {
    auto impl = impl_;
    impl_->loop.call([impl] {
      impl->disconnect();
      std::lock_guard lock(impl->mutex);
      impl->pending.clear();
    });
  }
}

void SimulatedAgent::start() { impl_->start(); }
void SimulatedAgent::disconnect() { impl_->disconnect(); }
std::string SimulatedAgent::refusal() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->refusal;
}
void SimulatedAgent::follow(std::string master) {
  impl_->options.master = std::move(master);
}

void SimulatedAgent::send_status(const std::string& framework_id, const std::string& task_id,
                                 mesos::TaskState state, const std::string& message) {
  impl_->send_status(framework_id, task_id, state, message);
}

std::optional<std::string> SimulatedAgent::agent_id() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->id;
}

bool SimulatedAgent::registered() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->is_registered;
}

std::map<std::string, mesos::TaskState> SimulatedAgent::tasks() const {
  std::lock_guard lock(impl_->mutex);
  std::map<std::string, mesos::TaskState> out;
  for (const auto& [id, task] : impl_->tasks) out[id] = task.state;
  return out;
}

size_t SimulatedAgent::pending_updates() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->pending.size();
}

size_t SimulatedAgent::acknowledgements() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->acks;
}

std::vector<nlohmann::json> SimulatedAgent::events() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

void SimulatedAgent::set_answer_pings(bool answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->answer_pings = answer;
}

}  // namespace cairn::master::testing
