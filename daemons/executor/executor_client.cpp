#include "daemons/executor/executor_client.hpp"

#include <chrono>
#include <deque>
#include <random>

#include "lib/base/base64.hpp"
#include "lib/http/client.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/json_fields.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::executor {

using nlohmann::json;

namespace {

std::string describe(const http::Response& response) {
  std::string text =
      std::to_string(response.status) + " " + std::string(http::reason_phrase(response.status));
  std::string body = response.body.substr(0, 500);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' '))
    body.pop_back();
  if (!body.empty()) text += ": " + body;
  return text;
}

std::string call_type(const json& call) {
  auto it = call.find("type");
  return it != call.end() && it->is_string() ? it->get<std::string>() : "UNKNOWN";
}

}  // namespace

struct ExecutorClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(EventLoop& l, ClientConfig c, ExecutorHandler& h)
      : loop(l), config(std::move(c)), handler(h), random(std::random_device{}()) {
    base = std::min(config.initial_backoff, config.backoff_max);
  }

  EventLoop& loop;
  const ClientConfig config;
  ExecutorHandler& handler;

  std::optional<http::Url> url;
  std::unique_ptr<http::Client> client;
  std::shared_ptr<http::ClientStream> stream;
  std::optional<recordio::Decoder> decoder;
  uint64_t attempt = 0;  // callbacks of older streams and calls are ignored
  bool running = false;
  bool connected = false;   // the SUBSCRIBE got its 200
  bool subscribed = false;  // ...and SUBSCRIBED arrived
  bool ever_subscribed = false;
  uint64_t failures = 0;  // subscription attempts that failed in a row
  std::chrono::steady_clock::time_point disconnected_since;
  std::set<std::string> sent_with_subscribe;  // uuids in the last SUBSCRIBE
  Timer retry;
  Duration base;
  std::mt19937_64 random;

  StatusBuffer buffer;
  std::deque<json> calls;
  bool call_in_flight = false;

  template <typename F>
  auto guarded(uint64_t id, F&& fn) {
    return [weak = weak_from_this(), id, fn = std::forward<F>(fn)](auto&&... args) mutable {
      auto self = weak.lock();
      if (self && self->running && self->attempt == id)
        fn(*self, std::forward<decltype(args)>(args)...);
    };
  }

  http::Request request(const json& call) const {
    http::Request r;
    r.method = "POST";
    r.headers.set("Content-Type", "application/json");
    r.headers.set("Accept", "application/json");
    r.body = call.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
  }

  json header(const char* type) const {
    return {{"type", type},
            {"framework_id", mesos::id_json(config.framework_id)},
            {"executor_id", mesos::id_json(config.executor_id)}};
  }

  void start() {
    Result<http::Url> parsed = http::Url::parse(config.api_url);
    running = true;
    disconnected_since = std::chrono::steady_clock::now();
    if (!parsed.ok()) return give_up("invalid agent URL " + config.api_url + ": " + parsed.error());
    url = *parsed;
    http::ClientOptions options;
    options.connect_timeout = Duration::seconds(5);
    options.request_timeout = Duration::seconds(30);
    options.max_idle_per_host = 2;
    client = std::make_unique<http::Client>(loop, options);
    subscribe();
  }

  void stop() {
    running = false;
    ++attempt;
    retry.cancel();
    drop_stream();
    calls.clear();
  }

  // --- subscription -------------------------------------------------------

  void subscribe() {
    if (!running) return;
    retry.cancel();
    drop_stream();
    const uint64_t id = ++attempt;
    decoder.emplace();
    connected = false;
    subscribed = false;
    json call = header("SUBSCRIBE");
    call["subscribe"] = buffer.subscribe_payload(config.framework_id, config.executor_id);
    sent_with_subscribe.clear();
    for (const auto& u : buffer.updates())
      sent_with_subscribe.insert(u.uuid);
    // Quiet while an agent stays away: the first attempts and every 30th.
    const bool loud = failures < 3 || failures % 30 == 0;
    if (loud) {
      log::info("Subscribing to the agent at {} ({} unacknowledged updates)", url->to_string(),
                buffer.size());
    }
    stream = client->open_stream(
        *url, request(call),
        {guarded(id, [](Impl& self, const http::Response& head) { self.on_head(head); }),
         guarded(id, [](Impl& self, std::string_view data) { self.on_data(data); }),
         guarded(id, [](Impl& self, Status end) { self.on_end(end); })});
  }

  void drop_stream() {
    if (stream) {
      stream->cancel();
      stream.reset();
    }
  }

  void on_head(const http::Response& head) {
    if (head.status == 200) {
      connected = true;
      return;
    }
    subscribe_failed("SUBSCRIBE answered " + describe(head));
  }

  void on_data(std::string_view data) {
    const uint64_t id = attempt;
    Status fed = decoder->feed(data);
    while (auto record = decoder->next()) {
      handle_record(*record);
      if (!running || id != attempt) return;
    }
    if (!fed.ok()) lose_connection("the event stream is corrupt: " + fed.error());
  }

  void on_end(const Status& end) {
    stream.reset();
    if (connected) {
      lose_connection(end.ok() ? "the agent closed the event stream" : end.error());
    } else {
      subscribe_failed(end.ok() ? "the agent closed the connection" : end.error());
    }
  }

  void reset_connection() {
    drop_stream();
    ++attempt;
    connected = false;
    subscribed = false;
    call_in_flight = false;
    // Buffered updates go with the next SUBSCRIBE; messages are best effort.
    calls.clear();
  }

  void lose_connection(const std::string& reason) {
    // A stream that broke before SUBSCRIBED is a failed subscription.
    if (!subscribed) return subscribe_failed(reason);
    reset_connection();
    if (!running) return;
    log::warning("Lost the connection to the agent: {}", reason);
    // The recovery timeout counts from the loss of a working subscription.
    disconnected_since = std::chrono::steady_clock::now();
    handler.disconnected();
    if (!running) return;
    if (!config.checkpoint && ever_subscribed) {
      return give_up("disconnected from the agent and the framework does not checkpoint (" +
                     reason + ")");
    }
    schedule_subscribe();
  }

  void subscribe_failed(const std::string& reason) {
    reset_connection();
    if (!running) return;
    const auto away = std::chrono::steady_clock::now() - disconnected_since;
    if (away >= config.recovery_timeout.chrono()) {
      return give_up("could not subscribe to the agent within the recovery timeout of " +
                     config.recovery_timeout.to_string() + " (last error: " + reason + ")");
    }
    if (failures < 3 || failures % 30 == 0)
      log::warning("Subscribing to the agent failed: {}", reason);
    ++failures;
    schedule_subscribe();
  }

  void schedule_subscribe() {
    // Uniform in [base/2, base]; base doubles up to the maximum.
    std::uniform_int_distribution<int64_t> pick(base.ns() / 2, std::max<int64_t>(base.ns(), 1));
    Duration delay = Duration::nanoseconds(pick(random));
    base = std::min(base * 2, config.backoff_max);
    log::debug("Subscribing again in {}", delay.to_string());
    retry = loop.after(delay, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->subscribe();
    });
  }

  void give_up(const std::string& reason) {
    log::error("Giving up on the agent: {}", reason);
    running = false;
    ++attempt;
    retry.cancel();
    drop_stream();
    calls.clear();
    handler.agent_lost(reason);
  }

  // --- events -------------------------------------------------------------

  void handle_record(const std::string& record) {
    json event = json::parse(record, nullptr, false);
    if (event.is_discarded() || !event.is_object()) {
      log::warning("Ignoring an event that is not a JSON object");
      return;
    }
    std::string type = call_type(event);
    if (type != "SUBSCRIBED" && type != "ERROR" && type != "HEARTBEAT" && !subscribed) {
      log::warning("Ignoring a {} event received before SUBSCRIBED", type);
      return;
    }
    auto handled = mesos::parse_fields([&] {
      mesos::Fields f(event, "");
      if (type == "SUBSCRIBED") {
        on_subscribed(f.required_object("subscribed"));
      } else if (type == "LAUNCH") {
        mesos::Fields launch = f.required_object("launch");
        mesos::Fields task = launch.required_object("task");
        task.required_id("task_id");
        handler.launch(task.json());
      } else if (type == "LAUNCH_GROUP") {
        mesos::Fields group = f.required_object("launch_group").required_object("task_group");
        std::vector<json> tasks;
        for (const json& t : group.array("tasks")) {
          mesos::Fields(t, group.path_of("tasks")).required_id("task_id");
          tasks.push_back(t);
        }
        handler.launch_group(tasks);
      } else if (type == "KILL") {
        mesos::Fields kill = f.required_object("kill");
        std::string task_id = kill.required_id("task_id");
        std::optional<Duration> grace;
        if (auto policy = kill.optional_object("kill_policy")) {
          if (auto period = policy->optional_object("grace_period")) {
            grace = Duration::nanoseconds(period->integer("nanoseconds", 0));
          }
        }
        handler.kill(task_id, grace);
      } else if (type == "ACKNOWLEDGED") {
        mesos::Fields ack = f.required_object("acknowledged");
        std::string task_id = ack.required_id("task_id");
        std::string uuid = ack.required_string("uuid");
        if (buffer.acknowledge(task_id, uuid)) {
          handler.acknowledged(task_id, uuid);
        } else {
          log::debug("Acknowledgement of an unknown update of task {}", task_id);
        }
      } else if (type == "MESSAGE") {
        std::string data = f.required_object("message").required_string("data");
        Result<std::string> decoded = base64::decode(data);
        if (!decoded.ok()) f.fail("message.data", "not base64: " + decoded.error());
        handler.message(*decoded);
      } else if (type == "SHUTDOWN") {
        handler.shutdown();
      } else if (type == "ERROR") {
        std::string message = "unknown error";
        if (auto error = f.optional_object("error"))
          message = error->optional_string("message").value_or(message);
        handler.error(message);
      } else if (type == "HEARTBEAT") {
        // Nothing to do: the stream is alive.
      } else {
        log::debug("Ignoring a {} event", type);
      }
      return true;
    });
    if (!handled.ok()) log::warning("Ignoring a malformed {} event: {}", type, handled.error());
  }

  void on_subscribed(const mesos::Fields& f) {
    SubscribedInfo info;
    if (const json* j = f.get("executor_info")) info.executor_info = *j;
    if (const json* j = f.get("framework_info")) info.framework_info = *j;
    if (const json* j = f.get("agent_info")) info.agent_info = *j;
    if (const json* j = f.get("container_id")) info.container_id = *j;
    if (info.agent_info.is_object()) {
      auto id = info.agent_info.find("id");
      if (id != info.agent_info.end() && id->is_object() && id->contains("value") &&
          (*id)["value"].is_string()) {
        info.agent_id = (*id)["value"].get<std::string>();
      }
    }
    if (info.framework_info.is_object()) {
      auto caps = info.framework_info.find("capabilities");
      if (caps != info.framework_info.end() && caps->is_array()) {
        for (const json& c : *caps) {
          if (c.is_object() && c.contains("type") && c["type"].is_string()) {
            info.capabilities.insert(c["type"].get<std::string>());
          }
        }
      }
    }
    subscribed = true;
    ever_subscribed = true;
    failures = 0;
    base = std::min(config.initial_backoff, config.backoff_max);
    log::info("Subscribed to agent {}", info.agent_id.value_or("(unknown id)"));
    // Updates made after the SUBSCRIBE went out are sent now.
    for (const auto& u : buffer.updates()) {
      if (!sent_with_subscribe.count(u.uuid)) enqueue_update(u.status);
    }
    const uint64_t id = attempt;
    handler.subscribed(info);
    if (running && id == attempt) pump();
  }

  // --- calls --------------------------------------------------------------

  void enqueue_update(const json& status) {
    json call = header("UPDATE");
    call["update"] = {{"status", status}};
    calls.push_back(std::move(call));
  }

  void pump() {
    if (!running || !subscribed || call_in_flight || calls.empty()) return;
    json call = std::move(calls.front());
    calls.pop_front();
    call_in_flight = true;
    const std::string type = call_type(call);
    client->send(*url, request(call),
                 guarded(attempt, [type](Impl& self, Result<http::Response> response) {
                   self.call_in_flight = false;
                   if (!response.ok())
                     return self.lose_connection(type + " call failed: " + response.error());
                   if (response->status >= 200 && response->status < 300) return self.pump();
                   std::string what = type + " call answered " + describe(*response);
                   if (response->status == 403 || response->status >= 500)
                     return self.lose_connection(what);
                   // The agent refused this call: sending it again would not help.
                   log::error("{}", what);
                   self.pump();
                 }));
  }

  void update(json status) {
    buffer.add_update(status);
    if (subscribed) {
      enqueue_update(status);
      pump();
    }
  }

  void message(const std::string& data) {
    if (!subscribed) {
      log::warning("Dropping a MESSAGE: not subscribed to the agent");
      return;
    }
    json call = header("MESSAGE");
    call["message"] = {{"data", base64::encode(data)}};
    calls.push_back(std::move(call));
    pump();
  }
};

ExecutorClient::ExecutorClient(EventLoop& loop, ClientConfig config, ExecutorHandler& handler)
    : impl_(std::make_shared<Impl>(loop, std::move(config), handler)) {}

ExecutorClient::~ExecutorClient() {
  impl_->stop();
}

void ExecutorClient::start() {
  impl_->start();
}

void ExecutorClient::stop() {
  impl_->stop();
}

void ExecutorClient::update(nlohmann::json status) {
  impl_->update(std::move(status));
}

void ExecutorClient::track_task(const std::string& task_id, nlohmann::json task_info) {
  impl_->buffer.add_task(task_id, std::move(task_info));
}

void ExecutorClient::message(const std::string& data) {
  impl_->message(data);
}

bool ExecutorClient::subscribed() const {
  return impl_->subscribed;
}

bool ExecutorClient::calls_pending() const {
  return impl_->call_in_flight || !impl_->calls.empty();
}

const StatusBuffer& ExecutorClient::buffer() const {
  return impl_->buffer;
}

}  // namespace cairn::executor
