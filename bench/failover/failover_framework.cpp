#include "bench/failover/failover_framework.hpp"

#include <algorithm>

#include "bench/common/v1_http.hpp"

namespace cairn::bench {

namespace {

constexpr const char* kEndedByMaster = "stream ended by the master";

// As the scheduler SDK: refusals that may pass are retried.
bool retryable(int status) {
  return status >= 500 || status == 408 || status == 429;
}

}  // namespace

FailoverFramework::FailoverFramework(EventLoop& loop, FailoverFrameworkOptions options)
    : RawFramework(loop, RawFrameworkOptions{"failover-t", options.refuse_seconds,
                                             options.max_calls_in_flight}),
      options_(std::move(options)),
      backoff_(options_.initial_backoff, options_.max_backoff) {}

FailoverFramework::~FailoverFramework() {
  stop();
}

void FailoverFramework::subscribe(const std::string& master_url) {
  if (closed()) return;
  if (Status master = set_master(master_url); !master.ok()) {
    figures_.fatal = master.error();
    return;
  }
  figures_.master = master_url;
  figures_.subscribed_at.reset();
  figures_.first_offer_at.reset();
  figures_.subscribe_attempts = 0;
  figures_.subscribe_refusals = 0;
  figures_.last_refusal.clear();
  backoff_.reset();
  resubscribe();
}

void FailoverFramework::stop() {
  retry_.cancel();
  close();
}

FailoverFrameworkFigures FailoverFramework::figures() const {
  FailoverFrameworkFigures out = figures_;
  static_cast<RawFrameworkCounts&>(out) = counts();
  out.running = running_.load();
  out.stream_open = stream_open();
  return out;
}

void FailoverFramework::resubscribe() {
  if (closed() || !has_master()) return;
  retry_.cancel();
  figures_.subscribe_attempts++;
  open_stream({{"user", "root"},
               {"name", "failover-bench"},
               {"role", "*"},
               {"failover_timeout", options_.failover_timeout_seconds},
               {"capabilities", {{{"type", "PARTITION_AWARE"}}}}});
}

void FailoverFramework::refused(const http::Response& head) {
  const std::string why =
      "SUBSCRIBE answered " + std::to_string(head.status) + " " + short_body(head.body);
  figures_.last_refusal = why;
  if (!retryable(head.status)) {
    figures_.fatal = why;
    note(why);
  }
  // stream_ended() follows and retries (or not, when fatal).
}

void FailoverFramework::stream_ended(uint64_t generation, Status status) {
  const bool subscribed = figures_.subscribed_at.has_value();
  std::string why = status.ok() ? std::string(kEndedByMaster) : status.error();
  // Not from inside the stream's own callback.
  std::weak_ptr<RawFramework> weak = weak_from_this();
  loop_.post([weak, generation, subscribed, why] {
    auto framework = std::static_pointer_cast<FailoverFramework>(weak.lock());
    if (!framework || generation != framework->generation()) return;
    framework->forget_stream();
    // A subscription that was up and broke: the master went away; the
    // detector names the next one. Anything else: retry here.
    if (!subscribed) framework->subscribe_failed(generation, why);
  });
}

void FailoverFramework::subscribe_failed(uint64_t generation, const std::string& why) {
  if (closed() || generation != this->generation()) return;
  if (figures_.fatal) return;
  figures_.subscribe_refusals++;
  // After a refused head the stream just ends: the head said why.
  if (why != kEndedByMaster) figures_.last_refusal = why;
  const Duration delay = backoff_.next();
  std::weak_ptr<RawFramework> weak = weak_from_this();
  retry_ = loop_.after(delay, [weak, generation] {
    auto self = std::static_pointer_cast<FailoverFramework>(weak.lock());
    if (self && generation == self->generation()) self->resubscribe();
  });
}

void FailoverFramework::stream_error(const std::string& why) {
  note(why);
}

void FailoverFramework::subscribed() {
  figures_.subscriptions++;
  if (!figures_.subscribed_at) figures_.subscribed_at = Clock::now();
}

void FailoverFramework::offers_arrived(Clock::time_point now) {
  if (!figures_.first_offer_at) figures_.first_offer_at = now;
}

size_t FailoverFramework::wanted(const nlohmann::json& offer) {
  const size_t on_agent = per_agent_[offer.at("agent_id").at("value").get<std::string>()];
  return std::min(options_.tasks > figures_.launched ? options_.tasks - figures_.launched : 0,
                  options_.tasks_per_agent > on_agent ? options_.tasks_per_agent - on_agent : 0);
}

void FailoverFramework::launching(const nlohmann::json& offer, const std::vector<std::string>& ids,
                                  Clock::time_point /*now*/) {
  for (const std::string& id : ids)
    task_states_[id] = "TASK_STAGING";
  per_agent_[offer.at("agent_id").at("value").get<std::string>()] += ids.size();
  figures_.launched += ids.size();
}

void FailoverFramework::updated(const std::string& task_id, const std::string& state,
                                const nlohmann::json& status, Clock::time_point /*now*/) {
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

}  // namespace cairn::bench
