#include "bench/failover/failover_framework.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace cairn::bench {

namespace {

constexpr int64_t kTaskCpusMilli = 100;  // 0.1 cpus
constexpr int64_t kTaskMem = 32;         // MB
constexpr size_t kMaxMessages = 5;
constexpr const char* kEndedByMaster = "stream ended by the master";

nlohmann::json scalar(const char* name, double value) {
  return {{"name", name}, {"type", "SCALAR"}, {"scalar", {{"value", value}}}};
}

// As the scheduler SDK: refusals that may pass are retried.
bool retryable(int status) {
  return status >= 500 || status == 408 || status == 429;
}

http::Request json_request(const nlohmann::json& body, const std::string& stream_id) {
  http::Request request;
  request.method = "POST";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  if (!stream_id.empty()) request.headers.set("Mesos-Stream-Id", stream_id);
  request.body = body.dump();
  return request;
}

}  // namespace

FailoverFramework::FailoverFramework(EventLoop& loop, FailoverFrameworkOptions options)
    : loop_(loop),
      options_(std::move(options)),
      backoff_(options_.initial_backoff, options_.max_backoff) {}

FailoverFramework::~FailoverFramework() {
  stop();
}

void FailoverFramework::subscribe(const std::string& master_url) {
  if (stopped_) return;
  Result<http::Url> url = http::Url::parse(master_url + "/api/v1/scheduler");
  if (!url.ok()) {
    figures_.fatal = "bad master URL " + master_url + ": " + url.error();
    return;
  }
  url_ = *url;
  figures_.master = master_url;
  figures_.subscribed_at.reset();
  figures_.first_offer_at.reset();
  figures_.subscribe_attempts = 0;
  figures_.subscribe_refusals = 0;
  figures_.last_refusal.clear();
  backoff_.reset();
  open_stream();
}

void FailoverFramework::stop() {
  stopped_ = true;
  ++generation_;
  retry_.cancel();
  if (stream_) stream_->cancel();
  stream_ = nullptr;
  client_.reset();  // no callback runs afterwards
  queue_.clear();
  in_flight_ = 0;
}

FailoverFrameworkFigures FailoverFramework::figures() const {
  FailoverFrameworkFigures out = figures_;
  out.running = running_.load();
  out.stream_open = stream_ != nullptr && !stream_id_.empty();
  return out;
}

void FailoverFramework::note(const std::string& message) {
  if (figures_.messages.size() < kMaxMessages) figures_.messages.push_back(message);
}

void FailoverFramework::open_stream() {
  if (stopped_ || !url_) return;
  retry_.cancel();
  if (stream_) stream_->cancel();
  stream_ = nullptr;
  stream_id_.clear();
  // Calls meant for the old master are dropped: a new subscription starts
  // from a clean slate (acknowledgements are re-sent with the updates).
  queue_.clear();
  in_flight_ = 0;
  client_ = std::make_unique<http::Client>(loop_);  // cancels the old one's calls
  decoder_ = recordio::Decoder();
  const uint64_t generation = ++generation_;
  figures_.subscribe_attempts++;

  nlohmann::json info{{"user", "root"},
                      {"name", "failover-bench"},
                      {"role", "*"},
                      {"failover_timeout", options_.failover_timeout_seconds},
                      {"capabilities", {{{"type", "PARTITION_AWARE"}}}}};
  if (!figures_.framework_id.empty()) info["id"] = {{"value", figures_.framework_id}};
  nlohmann::json body{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", info}}}};
  if (!figures_.framework_id.empty()) body["framework_id"] = {{"value", figures_.framework_id}};

  std::weak_ptr<FailoverFramework> weak = weak_from_this();
  http::Client::StreamCallbacks callbacks;
  callbacks.on_head = [weak, generation](const http::Response& head) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) return;
    if (head.status != 200) {
      std::string body = head.body.substr(0, 200);
      while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back())))
        body.pop_back();
      const std::string why = "SUBSCRIBE answered " + std::to_string(head.status) + " " + body;
      self->figures_.last_refusal = why;
      if (!retryable(head.status)) {
        self->figures_.fatal = why;
        self->note(why);
      }
      self->stream_id_.clear();
      // on_end follows and retries (or not, when fatal).
      return;
    }
    self->stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
  };
  callbacks.on_data = [weak, generation](std::string_view data) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) return;
    if (!self->decoder_.feed(data).ok()) {
      self->note("malformed RecordIO on the event stream");
      return;
    }
    while (auto record = self->decoder_.next()) {
      nlohmann::json event = nlohmann::json::parse(*record, nullptr, false);
      if (!event.is_object()) {
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
  callbacks.on_end = [weak, generation](Status status) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) return;
    const bool subscribed = self->figures_.subscribed_at.has_value();
    std::string why = status.ok() ? std::string(kEndedByMaster) : status.error();
    self->loop_.post([weak, generation, subscribed, why] {
      auto framework = weak.lock();
      if (!framework || generation != framework->generation_) return;
      framework->stream_ = nullptr;
      framework->stream_id_.clear();
      // A subscription that was up and broke: the master went away; the
      // detector names the next one. Anything else: retry here.
      if (!subscribed) framework->subscribe_failed(generation, why);
    });
  };
  stream_ = client_->open_stream(*url_, json_request(body, ""), std::move(callbacks));
}

void FailoverFramework::subscribe_failed(uint64_t generation, const std::string& why) {
  if (stopped_ || generation != generation_) return;
  if (figures_.fatal) return;
  figures_.subscribe_refusals++;
  // After a refused head the stream just ends: the head said why.
  if (why != kEndedByMaster) figures_.last_refusal = why;
  const Duration delay = backoff_.next();
  std::weak_ptr<FailoverFramework> weak = weak_from_this();
  retry_ = loop_.after(delay, [weak, generation] {
    auto self = weak.lock();
    if (self && generation == self->generation_) self->open_stream();
  });
}

void FailoverFramework::handle(const nlohmann::json& event) {
  const std::string type = event.value("type", "");
  if (type == "SUBSCRIBED") {
    figures_.framework_id =
        event.at("subscribed").at("framework_id").at("value").get<std::string>();
    figures_.subscriptions++;
    if (!figures_.subscribed_at) figures_.subscribed_at = Clock::now();
  } else if (type == "OFFERS") {
    if (!figures_.first_offer_at) figures_.first_offer_at = Clock::now();
    handle_offers(event.at("offers").at("offers"));
  } else if (type == "UPDATE") {
    handle_update(event.at("update").at("status"));
  } else if (type == "ERROR") {
    note("ERROR event: " + event.at("error").value("message", ""));
  }
  // HEARTBEAT, RESCIND, FAILURE, MESSAGE: nothing to do.
}

void FailoverFramework::handle_offers(const nlohmann::json& offers) {
  nlohmann::json declined = nlohmann::json::array();
  for (const nlohmann::json& offer : offers) {
    figures_.offers++;
    const std::string agent_id = offer.at("agent_id").at("value").get<std::string>();
    size_t& on_agent = per_agent_[agent_id];
    const size_t wanted =
        std::min(options_.tasks > figures_.launched ? options_.tasks - figures_.launched : 0,
                 options_.tasks_per_agent > on_agent ? options_.tasks_per_agent - on_agent : 0);
    int64_t cpus_milli = 0, mem = 0;
    for (const nlohmann::json& resource : offer.value("resources", nlohmann::json::array())) {
      if (!resource.contains("scalar")) continue;
      const double value = resource.at("scalar").value("value", 0.0);
      const std::string name = resource.value("name", "");
      if (name == "cpus") cpus_milli += std::llround(value * 1000);
      if (name == "mem") mem += static_cast<int64_t>(std::floor(value));
    }
    const size_t fit = static_cast<size_t>(
        std::max<int64_t>(0, std::min(cpus_milli / kTaskCpusMilli, mem / kTaskMem)));
    const size_t count = std::min(wanted, fit);
    if (count == 0) {
      declined.push_back(offer.at("id"));
      continue;
    }
    nlohmann::json task_infos = nlohmann::json::array();
    std::vector<std::string> ids;
    for (size_t i = 0; i < count; ++i) {
      std::string id = "failover-t" + std::to_string(next_task_++);
      task_infos.push_back({{"name", id},
                            {"task_id", {{"value", id}}},
                            {"agent_id", offer.at("agent_id")},
                            {"resources",
                             {scalar("cpus", static_cast<double>(kTaskCpusMilli) / 1000),
                              scalar("mem", static_cast<double>(kTaskMem))}},
                            {"command", {{"value", "sleep 1000"}}}});
      task_states_[id] = "TASK_STAGING";
      ids.push_back(std::move(id));
    }
    on_agent += count;
    figures_.launched += count;
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

void FailoverFramework::handle_update(const nlohmann::json& status) {
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
  auto it = task_states_.find(task_id);
  if (it == task_states_.end()) return;
  const bool was_running = it->second == "TASK_RUNNING";
  it->second = state;
  if (state == "TASK_RUNNING" && !was_running) running_++;
  if (state != "TASK_RUNNING" && was_running) {
    running_--;
    figures_.ended++;
    note(task_id + ": " + state + " " + status.value("reason", "") + " " +
         status.value("message", ""));
  }
}

void FailoverFramework::call(nlohmann::json body, std::vector<std::string> launched) {
  if (stopped_) return;
  body["framework_id"] = {{"value", figures_.framework_id}};
  queue_.push_back(PendingCall{std::move(body), std::move(launched)});
  pump();
}

void FailoverFramework::pump() {
  while (!stopped_ && client_ && url_ && in_flight_ < options_.max_calls_in_flight &&
         !queue_.empty()) {
    auto pending = std::make_shared<PendingCall>(std::move(queue_.front()));
    queue_.pop_front();
    in_flight_++;
    const uint64_t generation = generation_;
    std::weak_ptr<FailoverFramework> weak = weak_from_this();
    client_->send(*url_, json_request(pending->body, stream_id_),
                  [weak, pending, generation](Result<http::Response> response) {
                    auto self = weak.lock();
                    if (!self || self->stopped_ || generation != self->generation_) return;
                    self->in_flight_--;
                    if (!response.ok() || response->status != 202) {
                      self->figures_.call_errors++;
                      self->note(pending->body.value("type", "?") + " failed: " +
                                 (response.ok() ? std::to_string(response->status) + " " +
                                                      response->body.substr(0, 200)
                                                : response.error()));
                    }
                    self->pump();
                  });
  }
}

}  // namespace cairn::bench
