#include "bench/common/raw_framework.hpp"

#include <algorithm>
#include <cmath>

#include "bench/common/v1_http.hpp"

namespace cairn::bench {

namespace {

constexpr int64_t kTaskCpusMilli = 100;  // 0.1 cpus
constexpr int64_t kTaskMem = 32;         // MB
constexpr size_t kMaxMessages = 5;

nlohmann::json scalar(const char* name, double value) {
  return {{"name", name}, {"type", "SCALAR"}, {"scalar", {{"value", value}}}};
}

// How many tasks the offer's scalar cpus and mem hold.
size_t tasks_fitting(const nlohmann::json& offer) {
  int64_t cpus_milli = 0, mem = 0;
  for (const nlohmann::json& resource : offer.value("resources", nlohmann::json::array())) {
    if (!resource.contains("scalar")) continue;
    const double value = resource.at("scalar").value("value", 0.0);
    const std::string name = resource.value("name", "");
    if (name == "cpus") cpus_milli += std::llround(value * 1000);
    if (name == "mem") mem += static_cast<int64_t>(std::floor(value));
  }
  return static_cast<size_t>(
      std::max<int64_t>(0, std::min(cpus_milli / kTaskCpusMilli, mem / kTaskMem)));
}

}  // namespace

RawFramework::RawFramework(EventLoop& loop, RawFrameworkOptions options)
    : loop_(loop), options_(std::move(options)) {}

RawFramework::~RawFramework() {
  close();
}

Status RawFramework::set_master(const std::string& master_url) {
  Result<http::Url> url = http::Url::parse(master_url + "/api/v1/scheduler");
  if (!url.ok()) return Error("bad master URL " + master_url + ": " + url.error());
  url_ = *url;
  return ok_status();
}

void RawFramework::close() {
  closed_ = true;
  ++generation_;
  if (stream_) stream_->cancel();
  stream_ = nullptr;
  client_.reset();  // no callback runs afterwards
  queue_.clear();
  in_flight_ = 0;
}

void RawFramework::forget_stream() {
  stream_ = nullptr;
  stream_id_.clear();
}

void RawFramework::note(const std::string& message) {
  if (counts_.messages.size() < kMaxMessages) counts_.messages.push_back(message);
}

void RawFramework::refused(const http::Response& head) {
  stream_error("SUBSCRIBE answered " + std::to_string(head.status) + " " + head.body);
}

void RawFramework::open_stream(nlohmann::json framework_info) {
  if (closed_ || !url_) return;
  if (stream_) stream_->cancel();
  forget_stream();
  queue_.clear();
  in_flight_ = 0;
  client_ = std::make_unique<http::Client>(loop_);  // cancels the old one's calls
  decoder_ = recordio::Decoder();
  const uint64_t generation = ++generation_;

  nlohmann::json body{{"type", "SUBSCRIBE"}};
  if (!counts_.framework_id.empty()) {
    framework_info["id"] = {{"value", counts_.framework_id}};
    body["framework_id"] = {{"value", counts_.framework_id}};
  }
  body["subscribe"] = {{"framework_info", std::move(framework_info)}};

  std::weak_ptr<RawFramework> weak = weak_from_this();
  http::Client::StreamCallbacks callbacks;
  callbacks.on_head = [weak, generation](const http::Response& head) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) return;
    if (head.status != 200) {
      self->refused(head);  // on_end follows
      return;
    }
    self->stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
  };
  callbacks.on_data = [weak, generation](std::string_view data) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) return;
    RawFramework* framework = self.get();
    if (!read_events(
            self->decoder_, data, [framework](const nlohmann::json& e) { framework->handle(e); },
            [framework](const std::string& why) { framework->note(why); })) {
      self->stream_error("malformed RecordIO on the event stream");
    }
  };
  callbacks.on_end = [weak, generation](Status status) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) return;
    self->stream_ended(generation, std::move(status));
  };
  stream_ = client_->open_stream(*url_, http::api_call_request(body, ""), std::move(callbacks));
}

void RawFramework::handle(const nlohmann::json& event) {
  const std::string type = event.value("type", "");
  if (type == "SUBSCRIBED") {
    counts_.framework_id = event.at("subscribed").at("framework_id").at("value").get<std::string>();
    subscribed();
  } else if (type == "OFFERS") {
    handle_offers(event.at("offers").at("offers"));
  } else if (type == "UPDATE") {
    handle_update(event.at("update").at("status"));
  } else if (type == "ERROR") {
    stream_error("ERROR event: " + event.at("error").value("message", ""));
  } else if (type == "FAILURE") {
    failure_event(event);
  }
  // HEARTBEAT, RESCIND (an ACCEPT racing it gets its tasks dropped and the
  // subclass hears of it in updated()), MESSAGE: nothing to do.
}

void RawFramework::handle_offers(const nlohmann::json& offers) {
  const Clock::time_point now = Clock::now();
  offers_arrived(now);
  nlohmann::json declined = nlohmann::json::array();
  for (const nlohmann::json& offer : offers) {
    counts_.offers++;
    const size_t count = std::min(wanted(offer), tasks_fitting(offer));
    if (count == 0) {
      declined.push_back(offer.at("id"));
      continue;
    }
    nlohmann::json task_infos = nlohmann::json::array();
    std::vector<std::string> ids;
    for (size_t i = 0; i < count; ++i) {
      std::string id = options_.task_prefix + std::to_string(next_task_++);
      task_infos.push_back({{"name", id},
                            {"task_id", {{"value", id}}},
                            {"agent_id", offer.at("agent_id")},
                            {"resources",
                             {scalar("cpus", static_cast<double>(kTaskCpusMilli) / 1000),
                              scalar("mem", static_cast<double>(kTaskMem))}},
                            {"command", {{"value", "sleep 1000"}}}});
      ids.push_back(std::move(id));
    }
    launching(offer, ids, now);
    counts_.accept_calls++;
    call({{"type", "ACCEPT"},
          {"accept",
           {{"offer_ids", {offer.at("id")}},
            {"operations",
             {{{"type", "LAUNCH"}, {"launch", {{"task_infos", std::move(task_infos)}}}}}},
            {"filters", {{"refuse_seconds", options_.refuse_seconds}}}}}},
         std::move(ids));
  }
  if (!declined.empty()) {
    counts_.declined += declined.size();
    call({{"type", "DECLINE"},
          {"decline",
           {{"offer_ids", std::move(declined)},
            {"filters", {{"refuse_seconds", options_.refuse_seconds}}}}}});
  }
}

void RawFramework::handle_update(const nlohmann::json& status) {
  const Clock::time_point now = Clock::now();
  const std::string task_id = status.at("task_id").at("value").get<std::string>();
  const std::string state = status.value("state", "");
  if (status.contains("uuid") && status.contains("agent_id")) {
    counts_.acknowledgements++;
    call({{"type", "ACKNOWLEDGE"},
          {"acknowledge",
           {{"agent_id", status.at("agent_id")},
            {"task_id", status.at("task_id")},
            {"uuid", status.at("uuid")}}}});
  }
  updated(task_id, state, status, now);
}

void RawFramework::call(nlohmann::json body, std::vector<std::string> launched) {
  if (closed_) return;
  body["framework_id"] = {{"value", counts_.framework_id}};
  queue_.push_back(PendingCall{std::move(body), std::move(launched)});
  pump();
}

void RawFramework::pump() {
  while (!closed_ && client_ && url_ && in_flight_ < options_.max_calls_in_flight &&
         !queue_.empty()) {
    auto pending = std::make_shared<PendingCall>(std::move(queue_.front()));
    queue_.pop_front();
    call_sent(*pending, Clock::now());
    in_flight_++;
    const uint64_t generation = generation_;
    std::weak_ptr<RawFramework> weak = weak_from_this();
    client_->send(
        *url_, http::api_call_request(pending->body, stream_id_),
        [weak, pending, generation](Result<http::Response> response) {
          auto self = weak.lock();
          if (!self || self->closed_ || generation != self->generation_) return;
          self->in_flight_--;
          if (!response.ok() || response->status != 202) {
            const std::string why = response.ok() ? std::to_string(response->status) + " " +
                                                        response->body.substr(0, 200)
                                                  : response.error();
            self->counts_.call_errors++;
            self->note(pending->body.value("type", "?") + " failed: " + why.substr(0, 300));
            self->call_failed(*pending);
          }
          self->pump();
        });
  }
}

}  // namespace cairn::bench
