#include "lib/scheduler/driver.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <utility>

#include "lib/base/base64.hpp"
#include "lib/detector/master_detector.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/http/client.hpp"
#include "lib/logging/log.hpp"
#include "lib/recordio/recordio.hpp"
#include "lib/scheduler/backoff.hpp"
#include "lib/scheduler/calls.hpp"
#include "lib/scheduler/endpoint.hpp"
#include "lib/scheduler/events.hpp"
#include "lib/zk/zk_url.hpp"

namespace cairn::scheduler {

using nlohmann::json;

namespace {

// Mesos' advice: a subscriber that hears nothing for five heartbeat
// intervals should consider the connection gone.
constexpr int64_t kMissedHeartbeats = 5;
constexpr int kMaxRedirects = 8;
constexpr char kStreamIdHeader[] = "Mesos-Stream-Id";

std::string call_type(const json& call) {
  auto it = call.find("type");
  return it != call.end() && it->is_string() ? it->get<std::string>() : "UNKNOWN";
}

// "400 Bad Request: <body>", the body trimmed and shortened for logs.
std::string describe(const http::Response& response) {
  std::string text =
      std::to_string(response.status) + " " + std::string(http::reason_phrase(response.status));
  std::string body = response.body.substr(0, 1000);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' '))
    body.pop_back();
  if (!body.empty()) text += ": " + body;
  return text;
}

// A SUBSCRIBE refused for a reason that may pass (no leader yet, master
// still recovering, overloaded) is retried; other refusals are final.
bool retryable(int status) {
  return status >= 500 || status == 408 || status == 429;
}

// obj[a][b]... when every step exists, else nullptr.
const json* find_path(const json& root, std::initializer_list<const char*> path) {
  const json* node = &root;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::optional<std::string> id_value(const json& root, const char* field) {
  const json* value = find_path(root, {field, "value"});
  if (!value || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

bool same_url(const http::Url& a, const http::Url& b) {
  return a.to_string() == b.to_string();
}

constexpr char kMasterOption[] = "DriverOptions::master";

// A fixed master's scheduler API URL; "file:///path" reads the master from
// the file first (ZooKeeper URLs, in a file or not, go to the detector).
Result<http::Url> fixed_master_url(const std::string& master) {
  if (master.rfind("file://", 0) != 0) return scheduler_api_url(master);
  Result<std::string> content = fs::read_file(master.substr(7));
  if (!content.ok()) return Error(std::string(kMasterOption) + ": " + content.error());
  std::string text = *content;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.erase(0, 1);
  return scheduler_api_url(text);
}

}  // namespace

std::string_view to_string(DriverStatus status) {
  switch (status) {
    case DriverStatus::kNotStarted:
      return "DRIVER_NOT_STARTED";
    case DriverStatus::kRunning:
      return "DRIVER_RUNNING";
    case DriverStatus::kAborted:
      return "DRIVER_ABORTED";
    case DriverStatus::kStopped:
      return "DRIVER_STOPPED";
  }
  return "DRIVER_UNKNOWN";
}

// Everything below runs on the loop thread except where noted: `status`,
// `finished` and the members set in the constructor are shared.
struct SchedulerDriver::Impl : std::enable_shared_from_this<Impl> {
  Impl(SchedulerDriver& d, Scheduler& s, json info, DriverOptions o, EventLoop& l)
      : driver(&d),
        scheduler(s),
        options(std::move(o)),
        loop(l),
        framework_info(std::move(info)),
        backoff(options.initial_backoff, options.max_backoff) {
    if (!framework_info.is_object()) {
      config_error = "framework_info must be a JSON object (a Mesos FrameworkInfo)";
      return;
    }
    if (zk::is_zk_url(options.master)) {
      auto zk_url = zk::ZkUrl::parse(options.master, kMasterOption);
      if (!zk_url.ok()) {
        config_error = zk_url.error();
        return;
      }
      zk_source = zk_url->redacted();
    } else {
      auto url = fixed_master_url(options.master);
      if (!url.ok()) {
        config_error = url.error();
        return;
      }
      configured = *url;
    }
    framework_id = id_value(framework_info, "id").value_or("");
    if (const json* caps = find_path(framework_info, {"capabilities"}); caps && caps->is_array()) {
      for (const auto& cap : *caps) {
        const json* type = find_path(cap, {"type"});
        if (type && *type == "PARTITION_AWARE") partition_aware = true;
      }
    }
  }

  // --- shared with other threads ------------------------------------------

  SchedulerDriver* driver;  // null once the driver is being destroyed
  Scheduler& scheduler;
  const DriverOptions options;
  EventLoop& loop;
  std::optional<http::Url> configured;  // the master from the options (a fixed one)
  std::string zk_source;                // or the ZooKeeper URL followed, without password
  std::string config_error;             // why neither is usable
  bool loop_started = false;            // own loop: its thread runs
  std::atomic<DriverStatus> status{DriverStatus::kNotStarted};
  std::mutex mutex;
  std::condition_variable cv;
  bool finished = false;  // under mutex: stop/abort has completed on the loop

  // --- loop-owned ---------------------------------------------------------

  json framework_info;
  std::string framework_id;
  bool partition_aware = false;
  std::unique_ptr<http::Client> client;
  std::unique_ptr<detector::MasterDetector> detector;  // zk:// masters
  std::optional<http::Url> detected;  // the elected leader's API URL; none while there is none
  http::Url master;                   // where SUBSCRIBE and calls go
  std::optional<http::Url> leader;    // where the last redirect pointed
  std::shared_ptr<http::ClientStream> stream;
  std::optional<recordio::Decoder> decoder;
  uint64_t attempt = 0;     // stream callbacks of older attempts are ignored
  bool connected = false;   // SUBSCRIBE got its 200: the stream is open
  bool subscribed = false;  // ...and SUBSCRIBED arrived on it
  bool ever_subscribed = false;
  bool shut_down = false;
  std::string stream_id;
  int redirects = 0;
  Duration heartbeat_interval = kDefaultHeartbeatInterval;
  Timer watchdog;
  Timer retry;
  Backoff backoff;

  // Callbacks run only while running (and the driver object exists).
  bool active() const { return driver != nullptr && status.load() == DriverStatus::kRunning; }

  bool follows_zookeeper() const { return !zk_source.empty(); }

  // Where (re)subscription starts: the configured master, or the elected
  // leader (none while ZooKeeper has no leader).
  std::optional<http::Url> home() const { return follows_zookeeper() ? detected : configured; }

  std::string framework_name() const {
    const json* name = find_path(framework_info, {"name"});
    return name && name->is_string() ? name->get<std::string>() : "";
  }

  // Runs fn on the loop unless the driver is gone by then. Any thread.
  void post(std::function<void(Impl&)> fn) {
    loop.post([weak = weak_from_this(), fn = std::move(fn)] {
      if (auto self = weak.lock()) fn(*self);
    });
  }

  // A driver method: queued when running, else only the status comes back.
  DriverStatus submit(std::function<void(Impl&)> fn) {
    const DriverStatus now = status.load();
    if (now != DriverStatus::kRunning) return now;
    post([fn = std::move(fn)](Impl& self) {
      if (self.active()) fn(self);
    });
    return now;
  }

  void finish() {
    {
      std::lock_guard lock(mutex);
      finished = true;
    }
    cv.notify_all();
  }

  // --- subscription -------------------------------------------------------

  void begin() {
    http::ClientOptions client_options;
    client_options.tls = options.tls;
    client_options.request_timeout = options.request_timeout;
    client_options.connect_timeout = std::min(options.request_timeout, Duration::seconds(10));
    client = std::make_unique<http::Client>(loop, std::move(client_options));
    if (!follows_zookeeper()) {
      master = *configured;
      return subscribe();
    }
    auto created = detector::MasterDetector::create(
        loop, options.master, options.zk_session_timeout,
        [this](std::optional<std::string> url) { leader_changed(std::move(url)); }, kMasterOption);
    if (!created.ok()) return abort_with_error(created.error());
    detector = std::move(created).value();
    log::info("Detecting the leading master in {}", zk_source);
  }

  // The detector's report: leave the current master and subscribe to the
  // new leader (a failover, with the framework id), or wait for one.
  void leader_changed(std::optional<std::string> url) {
    if (!active()) return;
    std::optional<http::Url> api;
    if (url) {
      auto parsed = scheduler_api_url(*url);
      if (parsed.ok()) {
        api = *parsed;
      } else {
        log::warning("Ignoring the leading master {} found in {}: {}", *url, zk_source,
                     parsed.error());
      }
    }
    detected = api;
    leader.reset();  // a redirect target of the previous leader means nothing now
    redirects = 0;
    if (!api) {
      log::warning("No leading master in {}; waiting for one to be elected", zk_source);
      return leave_master("there is no leading master");
    }
    log::info("The leading master in {} is {}", zk_source, *url);
    leave_master("the leading master changed");
    master = *api;
    backoff.reset();
    subscribe();
  }

  // Drops the subscription without scheduling another one.
  void leave_master(const std::string& reason) {
    const bool was_subscribed = subscribed;
    const bool had_stream = stream != nullptr;
    retry.cancel();
    drop_stream();
    ++attempt;
    connected = false;
    subscribed = false;
    stream_id.clear();
    if (had_stream) log::info("Leaving the master at {}: {}", master.to_string(), reason);
    if (was_subscribed && active()) scheduler.disconnected(*driver);
  }

  http::Request make_request(const json& call, const std::string& with_stream_id) const {
    http::Request request;
    request.method = "POST";
    request.headers.set("Content-Type", "application/json");
    request.headers.set("Accept", "application/json");
    if (!with_stream_id.empty()) request.headers.set(kStreamIdHeader, with_stream_id);
    if (!options.principal.empty()) {
      request.headers.set("Authorization",
                          "Basic " + base64::encode(options.principal + ":" + options.secret));
    }
    // Invalid UTF-8 from the framework must not throw on the loop.
    request.body = call.dump(-1, ' ', false, json::error_handler_t::replace);
    return request;
  }

  void subscribe() {
    if (!active() || !home()) return;  // no leader: the detector's next report subscribes
    retry.cancel();
    drop_stream();
    const uint64_t id = ++attempt;
    decoder.emplace();
    connected = false;
    subscribed = false;
    stream_id.clear();
    log::info("Subscribing framework '{}'{} at {}", framework_name(),
              framework_id.empty() ? "" : " (" + framework_id + ")", master.to_string());
    stream = client->open_stream(master, make_request(calls::subscribe(framework_info), ""),
                                 {[this, id](const http::Response& head) { on_head(id, head); },
                                  [this, id](std::string_view data) { on_data(id, data); },
                                  [this, id](Status end) { on_end(id, end); }});
  }

  void schedule_subscribe(Duration delay) {
    if (!active()) return;
    if (delay > Duration()) log::info("Subscribing again in {}", delay.to_string());
    retry = loop.after(delay, [this] { subscribe(); });
  }

  void drop_stream() {
    watchdog.cancel();
    if (stream) {
      stream->cancel();
      stream.reset();
    }
  }

  void on_head(uint64_t id, const http::Response& head) {
    if (id != attempt || !active()) return;
    if (head.status >= 200 && head.status < 300) {
      connected = true;
      stream_id = std::string(head.headers.get(kStreamIdHeader).value_or(""));
      if (stream_id.empty()) {
        log::warning("Master at {} sent no {} header; calls may be refused", master.to_string(),
                     kStreamIdHeader);
      }
      arm_watchdog();
      return;
    }
    // Not subscribed: the whole body is in `head`; nothing else is needed.
    drop_stream();
    ++attempt;
    if (head.status == 307) {
      auto target = resolve_redirect(master, head.headers.get("Location").value_or(""));
      if (!target.ok()) return subscribe_failed(target.error());
      if (++redirects > kMaxRedirects) {
        return subscribe_failed("more than " + std::to_string(kMaxRedirects) + " redirects");
      }
      log::info("Master at {} is not the leader; following the redirect to {}", master.to_string(),
                target->to_string());
      master = *target;
      leader = *target;
      return schedule_subscribe(Duration());
    }
    const std::string what = "SUBSCRIBE at " + master.to_string() + " failed: " + describe(head);
    if (retryable(head.status)) return subscribe_failed(what);
    abort_with_error(what);
  }

  void on_data(uint64_t id, std::string_view data) {
    if (id != attempt || !active()) return;
    Status fed = decoder->feed(data);
    // Records completed before a bad frame still count.
    while (auto record = decoder->next()) {
      handle_record(*record);
      if (id != attempt || !active()) return;
    }
    if (!fed.ok()) lose_connection("the event stream is corrupt: " + fed.error());
  }

  void on_end(uint64_t id, const Status& end) {
    if (id != attempt || !active()) return;
    stream.reset();
    if (connected) {
      lose_connection(end.ok() ? "the master closed the event stream" : end.error());
    } else {
      subscribe_failed(end.ok() ? "the master closed the connection" : end.error());
    }
  }

  // The stream was open and broke (or went silent, or the master forgot us).
  void lose_connection(const std::string& reason) {
    const bool was_subscribed = subscribed;
    drop_stream();
    ++attempt;
    connected = false;
    subscribed = false;
    stream_id.clear();
    if (!active()) return;
    log::warning("Lost the event stream from {}: {}", master.to_string(), reason);
    if (was_subscribed) scheduler.disconnected(*driver);
    schedule_subscribe(backoff.next());
  }

  // No stream was opened (connection refused, 5xx, bad redirect).
  void subscribe_failed(const std::string& reason) {
    drop_stream();
    ++attempt;
    connected = false;
    redirects = 0;
    if (!active()) return;
    log::warning("Subscribing at {} failed: {}", master.to_string(), reason);
    // The leader may have moved, or the one we were sent to may be gone:
    // alternate between the configured (or elected) master and the last
    // known leader.
    const std::optional<http::Url> base = home();
    if (!base) return;  // no leader: the detector's next report subscribes
    if (leader && same_url(master, *base) && !same_url(*leader, *base)) {
      master = *leader;
    } else {
      master = *base;
    }
    schedule_subscribe(backoff.next());
  }

  void arm_watchdog() {
    const Duration limit = heartbeat_interval * kMissedHeartbeats;
    watchdog = loop.after(limit, [this, limit] {
      lose_connection("no event or heartbeat for " + limit.to_string());
    });
  }

  // --- events -------------------------------------------------------------

  void handle_record(const std::string& record) {
    arm_watchdog();  // even a malformed event shows that the master is there
    auto event = parse_event(record);
    if (!event.ok()) {
      log::warning("Ignoring an event from {}: {}", master.to_string(), event.error());
      return;
    }
    std::visit([this](auto& e) { handle(e); }, *event);
  }

  // Events other than SUBSCRIBED, ERROR and HEARTBEAT need a subscription.
  bool expect_subscribed(const char* type) {
    if (subscribed) return true;
    log::warning("Ignoring a {} event received before SUBSCRIBED", type);
    return false;
  }

  void handle(SubscribedEvent& e) {
    if (!framework_id.empty() && e.framework_id != framework_id) {
      log::warning("Master subscribed framework {} as {}", framework_id, e.framework_id);
    }
    framework_id = e.framework_id;
    framework_info["id"] = calls::id(framework_id);
    heartbeat_interval = e.heartbeat_interval;
    arm_watchdog();
    subscribed = true;
    redirects = 0;
    backoff.reset();
    log::info("Framework {} subscribed with the master at {} (heartbeats every {})", framework_id,
              master.to_string(), heartbeat_interval.to_string());
    if (!ever_subscribed) {
      ever_subscribed = true;
      scheduler.registered(*driver, framework_id, e.master_info);
    } else {
      scheduler.reregistered(*driver, e.master_info);
    }
  }

  void handle(OffersEvent& e) {
    if (!expect_subscribed("OFFERS") || e.offers.empty()) return;
    scheduler.resource_offers(*driver, e.offers);
  }

  void handle(RescindEvent& e) {
    if (!expect_subscribed("RESCIND")) return;
    scheduler.offer_rescinded(*driver, e.offer_id);
  }

  void handle(UpdateEvent& e) {
    if (!expect_subscribed("UPDATE")) return;
    scheduler.status_update(*driver, e.status);
    if (options.implicit_acknowledgements && active() && subscribed) acknowledge(e.status);
  }

  void handle(MessageEvent& e) {
    if (!expect_subscribed("MESSAGE")) return;
    scheduler.framework_message(*driver, e.executor_id, e.agent_id, e.data);
  }

  void handle(FailureEvent& e) {
    if (!expect_subscribed("FAILURE")) return;
    if (e.executor_id) {
      scheduler.executor_lost(*driver, *e.executor_id, e.agent_id, e.status.value_or(-1));
    } else {
      scheduler.agent_lost(*driver, e.agent_id);
    }
  }

  void handle(ErrorEvent& e) { abort_with_error(e.message); }

  void handle(HeartbeatEvent&) {}

  void handle(OtherEvent& e) { log::debug("Ignoring a {} event", e.type); }

  // --- calls --------------------------------------------------------------

  void send_call(json call, std::function<void()> done = {}) {
    if (!subscribed) {
      log::warning("Dropping a {} call: not subscribed to a master", call_type(call));
      if (done) done();
      return;
    }
    post_call(master, std::move(call), stream_id, 0, std::move(done));
  }

  void post_call(const http::Url& url, json call, const std::string& with_stream_id, int redirected,
                 std::function<void()> done) {
    log::debug("Sending a {} call to {}", call_type(call), url.to_string());
    http::Request request = make_request(call, with_stream_id);
    client->send(url, std::move(request),
                 [this, url, call = std::move(call), with_stream_id, redirected,
                  done = std::move(done)](Result<http::Response> response) mutable {
                   on_call_response(url, std::move(call), with_stream_id, redirected,
                                    std::move(done), std::move(response));
                 });
  }

  void on_call_response(const http::Url& url, json call, const std::string& with_stream_id,
                        int redirected, std::function<void()> done,
                        Result<http::Response> response) {
    const std::string type = call_type(call);
    if (!response.ok()) {
      log::warning("{} call to {} failed: {}", type, url.to_string(), response.error());
    } else if (response->status >= 200 && response->status < 300) {
      log::debug("{} call accepted ({})", type, response->status);
    } else if (response->status == 307) {
      auto target = resolve_redirect(url, response->headers.get("Location").value_or(""));
      if (target.ok() && redirected < kMaxRedirects) {
        log::info("Following the redirect of a {} call to {}", type, target->to_string());
        return post_call(*target, std::move(call), with_stream_id, redirected + 1, std::move(done));
      }
      log::warning("{} call to {} was redirected and cannot follow: {}", type, url.to_string(),
                   target.ok() ? "too many redirects" : target.error());
    } else if (response->status == 403) {
      log::warning("{} call refused ({}); subscribing again", type, describe(*response));
      if (connected && with_stream_id == stream_id) {
        lose_connection("the master does not consider the framework subscribed");
      }
    } else if (response->status >= 400 && response->status < 500) {
      const std::string message = type + " call failed: " + describe(*response);
      log::error("{}", message);
      if (active()) scheduler.error(*driver, message);
    } else {
      log::warning("{} call to {} failed: {}", type, url.to_string(), describe(*response));
    }
    if (done) done();
  }

  void acknowledge(const json& status_json) {
    const json* uuid = find_path(status_json, {"uuid"});
    if (!uuid || !uuid->is_string() || uuid->get<std::string>().empty()) return;
    auto agent_id = id_value(status_json, "agent_id");
    auto task_id = id_value(status_json, "task_id");
    if (!agent_id || !task_id) {
      log::warning("Cannot acknowledge a status update without agent_id and task_id");
      return;
    }
    send_call(calls::acknowledge(framework_id, *agent_id, *task_id, uuid->get<std::string>()));
  }

  void accept(const std::vector<std::string>& offer_ids, const json& operations,
              const json& filters) {
    if (!subscribed) {
      log::warning("Dropping an ACCEPT call: not subscribed to a master");
      return lose_launched_tasks(operations);
    }
    send_call(calls::accept(framework_id, offer_ids, operations, filters));
  }

  // Mesos' driver answers tasks launched while disconnected with TASK_LOST
  // (TASK_DROPPED when partition aware) so that frameworks retry them.
  void lose_launched_tasks(const json& operations) {
    if (!operations.is_array()) return;
    std::vector<json> tasks;
    for (const auto& op : operations) {
      const json* list = find_path(op, {"launch", "task_infos"});
      if (!list) list = find_path(op, {"launch_group", "task_group", "tasks"});
      if (!list || !list->is_array()) continue;
      for (const auto& task : *list)
        tasks.push_back(task);
    }
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto& task : tasks) {
      const json* task_id = find_path(task, {"task_id"});
      if (!task_id) continue;
      json update{{"task_id", *task_id},
                  {"state", partition_aware ? "TASK_DROPPED" : "TASK_LOST"},
                  {"source", "SOURCE_MASTER"},
                  {"reason", "REASON_MASTER_DISCONNECTED"},
                  {"message", "Master disconnected"},
                  {"timestamp", now}};
      if (const json* agent = find_path(task, {"agent_id"})) update["agent_id"] = *agent;
      if (!active()) return;
      scheduler.status_update(*driver, update);
    }
  }

  // --- stopping -----------------------------------------------------------

  void close() {
    detector.reset();
    drop_stream();
    retry.cancel();
    ++attempt;
    connected = false;
    subscribed = false;
  }

  // After stop() or abort(); `teardown` sends TEARDOWN first.
  void shutdown(bool teardown) {
    if (shut_down) return;
    shut_down = true;
    retry.cancel();
    if (teardown) {
      if (subscribed) {
        log::info("Tearing down framework {}", framework_id);
        return send_call(calls::teardown(framework_id), [this] {
          close();
          finish();
        });
      }
      log::warning("Cannot tear down framework '{}': not subscribed to a master",
                   framework_id.empty() ? framework_name() : framework_id);
    }
    close();
    finish();
  }

  void abort_with_error(const std::string& message) {
    DriverStatus expected = DriverStatus::kRunning;
    if (!status.compare_exchange_strong(expected, DriverStatus::kAborted)) return;
    log::error("Aborting the scheduler driver: {}", message);
    shut_down = true;
    close();
    if (driver) scheduler.error(*driver, message);
    finish();
  }

  // The driver object is going away: no callback may run any more.
  void shutdown_now() {
    DriverStatus expected = DriverStatus::kRunning;
    status.compare_exchange_strong(expected, DriverStatus::kStopped);
    shut_down = true;
    close();
    watchdog.cancel();
    client.reset();
    driver = nullptr;
    finish();
  }
};

SchedulerDriver::SchedulerDriver(Scheduler& scheduler, json framework_info, DriverOptions options) {
  EventLoop* loop = options.loop;
  if (!loop) {
    own_loop_ = std::make_unique<EventLoop>();
    loop = own_loop_.get();
  }
  impl_ = std::make_shared<Impl>(*this, scheduler, std::move(framework_info), std::move(options),
                                 *loop);
}

SchedulerDriver::~SchedulerDriver() {
  Impl* impl = impl_.get();
  auto shutdown = [impl] { impl->shutdown_now(); };
  if (own_loop_) {
    if (impl->loop_started) {
      own_loop_->call(shutdown);
      own_loop_->stop();
      own_loop_->join();
    } else {
      shutdown();
    }
  } else if (impl->status.load() == DriverStatus::kNotStarted || impl->loop.in_loop_thread()) {
    shutdown();
  } else {
    impl->loop.call(shutdown);
  }
  impl_.reset();
}

DriverStatus SchedulerDriver::start() {
  DriverStatus expected = DriverStatus::kNotStarted;
  if (!impl_->status.compare_exchange_strong(expected, DriverStatus::kRunning)) return expected;
  if (own_loop_) {
    own_loop_->start_thread();
    impl_->loop_started = true;
  }
  if (!impl_->config_error.empty()) {
    // As Mesos' driver does when it cannot detect a master: error, abort.
    impl_->status = DriverStatus::kAborted;
    log::error("Cannot start the scheduler driver: {}", impl_->config_error);
    impl_->post([](Impl& self) {
      if (self.driver) self.scheduler.error(*self.driver, self.config_error);
      self.shut_down = true;
      self.finish();
    });
    return DriverStatus::kAborted;
  }
  impl_->post([](Impl& self) { self.begin(); });
  return DriverStatus::kRunning;
}

DriverStatus SchedulerDriver::stop(bool failover) {
  DriverStatus was = impl_->status.load();
  do {
    if (was != DriverStatus::kRunning && was != DriverStatus::kAborted) return was;
  } while (!impl_->status.compare_exchange_weak(was, DriverStatus::kStopped));
  const bool teardown = !failover && was == DriverStatus::kRunning;
  impl_->post([teardown](Impl& self) { self.shutdown(teardown); });
  return was == DriverStatus::kAborted ? DriverStatus::kAborted : DriverStatus::kStopped;
}

DriverStatus SchedulerDriver::abort() {
  DriverStatus expected = DriverStatus::kRunning;
  if (!impl_->status.compare_exchange_strong(expected, DriverStatus::kAborted)) return expected;
  impl_->post([](Impl& self) { self.shutdown(false); });
  return DriverStatus::kAborted;
}

DriverStatus SchedulerDriver::join() {
  const DriverStatus now = impl_->status.load();
  if (now == DriverStatus::kNotStarted) return now;
  if (impl_->loop.in_loop_thread()) {
    log::error("SchedulerDriver::join() called on the driver's own loop thread; not waiting");
    return now;
  }
  std::unique_lock lock(impl_->mutex);
  impl_->cv.wait(lock, [&] { return impl_->finished; });
  return impl_->status.load();
}

DriverStatus SchedulerDriver::run() {
  const DriverStatus started = start();
  if (started != DriverStatus::kRunning) return started;
  return join();
}

DriverStatus SchedulerDriver::status() const {
  return impl_->status.load();
}

DriverStatus SchedulerDriver::launch_tasks(const std::vector<std::string>& offer_ids,
                                           const std::vector<json>& task_infos,
                                           const json& filters) {
  return impl_->submit([offer_ids, task_infos, filters](Impl& self) {
    self.accept(offer_ids, json::array({calls::launch_operation(task_infos)}), filters);
  });
}

DriverStatus SchedulerDriver::accept_offers(const std::vector<std::string>& offer_ids,
                                            const json& operations, const json& filters) {
  return impl_->submit([offer_ids, operations, filters](Impl& self) {
    self.accept(offer_ids, operations, filters);
  });
}

DriverStatus SchedulerDriver::decline_offer(const std::string& offer_id, const json& filters) {
  return impl_->submit([offer_id, filters](Impl& self) {
    self.send_call(calls::decline(self.framework_id, {offer_id}, filters));
  });
}

DriverStatus SchedulerDriver::kill_task(const std::string& task_id,
                                        const std::optional<std::string>& agent_id) {
  return impl_->submit([task_id, agent_id](Impl& self) {
    self.send_call(calls::kill(self.framework_id, task_id, agent_id));
  });
}

DriverStatus SchedulerDriver::revive_offers(const std::vector<std::string>& roles) {
  return impl_->submit(
      [roles](Impl& self) { self.send_call(calls::revive(self.framework_id, roles)); });
}

DriverStatus SchedulerDriver::suppress_offers(const std::vector<std::string>& roles) {
  return impl_->submit(
      [roles](Impl& self) { self.send_call(calls::suppress(self.framework_id, roles)); });
}

DriverStatus SchedulerDriver::acknowledge_status_update(const json& status) {
  if (impl_->options.implicit_acknowledgements) {
    log::warning(
        "Ignoring an explicit acknowledgement: the driver acknowledges updates implicitly");
    return impl_->status.load();
  }
  return impl_->submit([status](Impl& self) { self.acknowledge(status); });
}

DriverStatus SchedulerDriver::reconcile_tasks(const std::vector<json>& statuses) {
  return impl_->submit(
      [statuses](Impl& self) { self.send_call(calls::reconcile(self.framework_id, statuses)); });
}

DriverStatus SchedulerDriver::send_framework_message(const std::string& executor_id,
                                                     const std::string& agent_id,
                                                     const std::string& data) {
  return impl_->submit([executor_id, agent_id, data](Impl& self) {
    self.send_call(calls::message(self.framework_id, agent_id, executor_id, data));
  });
}

}  // namespace cairn::scheduler
