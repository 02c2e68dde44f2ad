#include "bench/failover/reregistering_agent.hpp"

#include <algorithm>

#include "bench/common/v1_http.hpp"

namespace cairn::bench {

ReregisteringAgent::ReregisteringAgent(EventLoop& loop, ReregisteringAgentOptions options)
    : loop_(loop),
      options_(std::move(options)),
      backoff_(options_.backoff_factor),
      random_(options_.seed) {}

ReregisteringAgent::~ReregisteringAgent() {
  stop();
}

void ReregisteringAgent::follow(const std::string& master_url) {
  if (stopped_) return;
  Result<http::Url> url = http::Url::parse(master_url + "/api/v1/agent");
  if (!url.ok()) {
    note("bad master URL " + master_url + ": " + url.error());
    return;
  }
  // Leave the old master at once: only one master may have this agent.
  ++epoch_;
  timer_.cancel();
  if (stream_) stream_->cancel();
  stream_ = nullptr;
  stream_id_.clear();
  registered_ = false;
  registered_ns_ = 0;
  url_ = *url;
  if (!client_) client_ = std::make_unique<http::Client>(loop_);
  backoff_ = options_.backoff_factor;
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(0, backoff_.ns()));
  std::weak_ptr<ReregisteringAgent> weak = weak_from_this();
  timer_ = loop_.after(Duration::nanoseconds(jitter(random_)), [weak] {
    if (auto self = weak.lock()) self->connect();
  });
}

void ReregisteringAgent::stop() {
  stopped_ = true;
  ++epoch_;
  timer_.cancel();
  if (stream_) stream_->cancel();
  stream_ = nullptr;
  client_.reset();  // no callback runs afterwards
}

std::optional<ReregisteringAgent::Clock::time_point> ReregisteringAgent::registered_at() const {
  const int64_t ns = registered_ns_.load();
  if (ns == 0) return std::nullopt;
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}

std::string ReregisteringAgent::last_problem() const {
  std::lock_guard lock(mutex_);
  return last_problem_;
}

void ReregisteringAgent::note(const std::string& problem) {
  std::lock_guard lock(mutex_);
  last_problem_ = problem;
}

void ReregisteringAgent::connect() {
  if (stopped_ || !url_ || !client_) return;
  const uint64_t epoch = ++epoch_;
  ++attempts_;
  nlohmann::json call{{"type", "REGISTER"},
                      {"register",
                       {{"agent_info", options_.agent_info},
                        {"version", CAIRN_VERSION},
                        {"tasks", options_.tasks},
                        {"frameworks", options_.frameworks}}}};
  decoder_ = recordio::Decoder();
  stream_id_.clear();
  std::weak_ptr<ReregisteringAgent> weak = weak_from_this();
  http::Client::StreamCallbacks callbacks;
  callbacks.on_head = [weak, epoch](const http::Response& head) {
    auto self = weak.lock();
    if (!self || epoch != self->epoch_) return;
    if (head.status != 200) {
      ++self->refusals_;
      self->note("REGISTER answered " + std::to_string(head.status) + " " + short_body(head.body));
      return;  // on_end follows
    }
    self->stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
  };
  callbacks.on_data = [weak, epoch](std::string_view data) {
    auto self = weak.lock();
    if (!self || epoch != self->epoch_) return;
    ReregisteringAgent* agent = self.get();
    // Records that are not events are ignored: the agent needs only
    // REGISTERED and PING.
    if (!read_events(
            self->decoder_, data, [agent](const nlohmann::json& e) { agent->handle(e); },
            [](const std::string&) {})) {
      self->note("malformed RecordIO on the event stream");
    }
  };
  callbacks.on_end = [weak, epoch](Status status) {
    auto self = weak.lock();
    if (!self || epoch != self->epoch_) return;
    // Not from inside the stream's own callback.
    std::string why = status.ok() ? std::string("the master closed the stream") : status.error();
    self->loop_.post([weak, epoch, why] {
      auto agent = weak.lock();
      if (agent && epoch == agent->epoch_) agent->disconnected(why);
    });
  };
  stream_ = client_->open_stream(*url_, http::api_call_request(call, ""), std::move(callbacks));
}

void ReregisteringAgent::disconnected(const std::string& why) {
  if (stopped_) return;
  if (registered_) {
    ++broken_;
    note("lost the master: " + why);
  } else if (last_problem().empty()) {
    note(why);
  }
  ++epoch_;
  registered_ = false;
  stream_ = nullptr;
  stream_id_.clear();
  // As cairn-agent: the same master again after the backoff, which doubles.
  const Duration delay = backoff_;
  backoff_ = std::min(backoff_ * 2, Duration::minutes(1));
  std::weak_ptr<ReregisteringAgent> weak = weak_from_this();
  timer_ = loop_.after(delay, [weak] {
    if (auto self = weak.lock()) self->connect();
  });
}

void ReregisteringAgent::handle(const nlohmann::json& event) {
  const std::string type = event.value("type", "");
  if (type == "REGISTERED") {
    const Clock::time_point now = Clock::now();
    registered_ = true;
    backoff_ = options_.backoff_factor;
    if (registered_ns_.load() == 0) {
      registered_ns_ =
          std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    }
  } else if (type == "PING" && client_ && url_) {
    nlohmann::json pong{{"type", "PONG"}, {"agent_id", {{"value", options_.agent_id}}}};
    client_->send(*url_, http::api_call_request(pong, stream_id_), [](Result<http::Response>) {});
  }
  // No task of this agent changes state: RUN_TASK, KILL_TASK and the like
  // are not expected after the failover, and are ignored.
}

}  // namespace cairn::bench
