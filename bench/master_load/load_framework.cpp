#include "bench/master_load/load_framework.hpp"

#include <algorithm>
#include <cmath>

namespace cairn::bench {

namespace {

constexpr int64_t kTaskCpusMilli = 100;  // 0.1 cpus
constexpr int64_t kTaskMem = 32;         // MB
constexpr size_t kMaxMessages = 5;

nlohmann::json scalar(const char* name, double value) {
  return {{"name", name}, {"type", "SCALAR"}, {"scalar", {{"value", value}}}};
}

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

void LoadProgress::fail(const std::string& message) {
  std::lock_guard lock(mutex_);
  if (!failure_) failure_ = message;
}

std::optional<std::string> LoadProgress::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

LoadFramework::LoadFramework(EventLoop& loop, LoadFrameworkOptions options, LoadProgress& progress)
    : loop_(loop), options_(std::move(options)), progress_(progress) {}

LoadFramework::~LoadFramework() {
  stop();
}

void LoadFramework::start() {
  Result<http::Url> url = http::Url::parse(options_.master + "/api/v1/scheduler");
  if (!url.ok()) {
    progress_.fail("bad master URL " + options_.master + ": " + url.error());
    return;
  }
  url_ = *url;
  client_ = std::make_unique<http::Client>(loop_);
  nlohmann::json info{{"user", "root"},
                      {"name", "master-load-" + std::to_string(options_.index)},
                      {"role", "*"},
                      {"failover_timeout", 0}};
  http::Request request;
  request.method = "POST";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  request.body =
      nlohmann::json{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}}.dump();

  std::weak_ptr<LoadFramework> weak = weak_from_this();
  http::Client::StreamCallbacks callbacks;
  callbacks.on_head = [weak](const http::Response& head) {
    auto self = weak.lock();
    if (!self) return;
    if (head.status != 200) {
      self->progress_.fail("framework " + std::to_string(self->options_.index) +
                           ": SUBSCRIBE answered " + std::to_string(head.status) + " " + head.body);
      return;
    }
    self->stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
  };
  callbacks.on_data = [weak](std::string_view data) {
    auto self = weak.lock();
    if (!self) return;
    if (!self->decoder_.feed(data).ok()) {
      self->progress_.fail("framework " + std::to_string(self->options_.index) +
                           ": malformed RecordIO on the event stream");
      return;
    }
    while (auto record = self->decoder_.next()) {
      nlohmann::json event = nlohmann::json::parse(*record, nullptr, false);
      if (event.is_discarded()) {
        self->note("unparsable event: " + record->substr(0, 200));
        continue;
      }
      try {
        self->handle(event);
      } catch (const nlohmann::json::exception& e) {
        self->note(std::string("malformed event (") + e.what() + "): " + record->substr(0, 200));
      }
    }
  };
  callbacks.on_end = [weak](Status status) {
    auto self = weak.lock();
    if (!self || self->stopped_ || self->progress_.stopping) return;
    self->progress_.fail("framework " + std::to_string(self->options_.index) +
                         ": event stream ended" +
                         (status.ok() ? std::string(" by the master") : ": " + status.error()));
  };
  stream_ = client_->open_stream(*url_, std::move(request), std::move(callbacks));
}

void LoadFramework::stop() {
  stopped_ = true;
  if (stream_) stream_->cancel();
  stream_ = nullptr;
  client_.reset();  // no callback runs afterwards
  queue_.clear();
  in_flight_ = 0;
}

LoadFrameworkFigures LoadFramework::figures() const {
  LoadFrameworkFigures out = figures_;
  out.outstanding = tasks_.size() - figures_.running;
  return out;
}

void LoadFramework::note(const std::string& message) {
  if (figures_.messages.size() < kMaxMessages) figures_.messages.push_back(message);
}

void LoadFramework::handle(const nlohmann::json& event) {
  const std::string type = event.value("type", "");
  if (type == "SUBSCRIBED") {
    figures_.framework_id =
        event.at("subscribed").at("framework_id").at("value").get<std::string>();
    progress_.subscribed++;
  } else if (type == "OFFERS") {
    handle_offers(event.at("offers").at("offers"));
  } else if (type == "UPDATE") {
    handle_update(event.at("update").at("status"));
  } else if (type == "ERROR") {
    progress_.fail("framework " + std::to_string(options_.index) +
                   ": ERROR event: " + event.at("error").value("message", ""));
  } else if (type == "FAILURE") {
    note("FAILURE event: " + event.dump());
  }
  // HEARTBEAT, RESCIND (an ACCEPT racing it gets its tasks dropped and
  // relaunched), MESSAGE: nothing to do.
}

void LoadFramework::handle_offers(const nlohmann::json& offers) {
  const Clock::time_point now = Clock::now();
  if (!figures_.first_offer) figures_.first_offer = now;
  nlohmann::json declined = nlohmann::json::array();
  for (const nlohmann::json& offer : offers) {
    figures_.offers++;
    const size_t wanted = options_.tasks > tasks_.size() ? options_.tasks - tasks_.size() : 0;
    int64_t cpus_milli = 0, mem = 0;
    for (const nlohmann::json& resource : offer.value("resources", nlohmann::json::array())) {
      if (!resource.contains("scalar")) continue;
      const double value = resource.at("scalar").value("value", 0.0);
      const std::string name = resource.value("name", "");
      if (name == "cpus") cpus_milli += std::llround(value * 1000);
      if (name == "mem") mem += static_cast<int64_t>(std::floor(value));
    }
    size_t fit = static_cast<size_t>(
        std::max<int64_t>(0, std::min(cpus_milli / kTaskCpusMilli, mem / kTaskMem)));
    if (options_.max_tasks_per_offer > 0) fit = std::min(fit, options_.max_tasks_per_offer);
    const size_t count = std::min(wanted, fit);
    if (count == 0) {
      declined.push_back(offer.at("id"));
      continue;
    }
    nlohmann::json task_infos = nlohmann::json::array();
    std::vector<std::string> ids;
    for (size_t i = 0; i < count; ++i) {
      std::string id = "fw" + std::to_string(options_.index) + "-t" + std::to_string(next_task_++);
      task_infos.push_back({{"name", id},
                            {"task_id", {{"value", id}}},
                            {"agent_id", offer.at("agent_id")},
                            {"resources",
                             {scalar("cpus", static_cast<double>(kTaskCpusMilli) / 1000),
                              scalar("mem", static_cast<double>(kTaskMem))}},
                            {"command", {{"value", "sleep 1000"}}}});
      tasks_[id] = TaskRecord{now, now, false};
      ids.push_back(std::move(id));
    }
    figures_.accept_calls++;
    call({{"type", "ACCEPT"},
          {"accept",
           {{"offer_ids", {offer.at("id")}},
            {"operations",
             {{{"type", "LAUNCH"}, {"launch", {{"task_infos", std::move(task_infos)}}}}}},
            {"filters", {{"refuse_seconds", options_.refuse_seconds}}}}}},
         std::move(ids));
  }
  if (!declined.empty()) {
    figures_.declined += declined.size();
    call({{"type", "DECLINE"},
          {"decline",
           {{"offer_ids", std::move(declined)},
            {"filters", {{"refuse_seconds", options_.refuse_seconds}}}}}});
  }
}

void LoadFramework::handle_update(const nlohmann::json& status) {
  const Clock::time_point now = Clock::now();
  const std::string task_id = status.at("task_id").at("value").get<std::string>();
  const std::string state = status.value("state", "");
  if (status.contains("uuid") && status.contains("agent_id")) {
    figures_.acknowledgements++;
    call({{"type", "ACKNOWLEDGE"},
          {"acknowledge",
           {{"agent_id", status.at("agent_id")},
            {"task_id", status.at("task_id")},
            {"uuid", status.at("uuid")}}}});
  }
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;  // a duplicate of a task already given up on
  TaskRecord& task = it->second;
  if (state == "TASK_RUNNING") {
    if (task.running) return;  // a re-sent update
    task.running = true;
    figures_.running++;
    figures_.offer_to_running_ms.push_back(ms_between(task.offer_time, now));
    figures_.accept_to_running_ms.push_back(ms_between(task.accept_time, now));
    figures_.last_running = now;
    progress_.running++;
    return;
  }
  if (state == "TASK_STAGING" || state == "TASK_STARTING") return;
  // Anything else ends the task: count it and launch a replacement.
  figures_.failed++;
  note(task_id + ": " + state + " " + status.value("reason", "") + " " +
       status.value("message", ""));
  if (task.running) {
    figures_.running--;
    progress_.running--;
  }
  tasks_.erase(it);
}

void LoadFramework::call(nlohmann::json body, std::vector<std::string> launched) {
  if (stopped_) return;
  body["framework_id"] = {{"value", figures_.framework_id}};
  queue_.push_back(PendingCall{std::move(body), std::move(launched)});
  pump();
}

void LoadFramework::pump() {
  while (!stopped_ && client_ && in_flight_ < options_.max_calls_in_flight && !queue_.empty()) {
    auto pending = std::make_shared<PendingCall>(std::move(queue_.front()));
    queue_.pop_front();
    const Clock::time_point now = Clock::now();
    for (const std::string& id : pending->launched) {
      auto it = tasks_.find(id);
      if (it != tasks_.end()) it->second.accept_time = now;
    }
    http::Request request;
    request.method = "POST";
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Accept", "application/json");
    request.headers.set("Mesos-Stream-Id", stream_id_);
    request.body = pending->body.dump();
    in_flight_++;
    std::weak_ptr<LoadFramework> weak = weak_from_this();
    client_->send(*url_, std::move(request), [weak, pending](Result<http::Response> response) {
      auto self = weak.lock();
      if (!self || self->stopped_) return;
      self->in_flight_--;
      if (!response.ok()) {
        self->call_failed(*pending, response.error());
      } else if (response->status != 202) {
        self->call_failed(*pending, std::to_string(response->status) + " " + response->body);
      }
      self->pump();
    });
  }
}

void LoadFramework::call_failed(const PendingCall& call, const std::string& why) {
  figures_.call_errors++;
  note(call.body.value("type", "?") + " failed: " + why.substr(0, 300));
  // Tasks of a refused ACCEPT never reach the agent: launch them again.
  for (const std::string& id : call.launched) {
    auto it = tasks_.find(id);
    if (it != tasks_.end() && !it->second.running) {
      figures_.failed++;
      tasks_.erase(it);
    }
  }
}

}  // namespace cairn::bench
