#include "daemons/master/testing/master_harness.hpp"

#include <future>
#include <thread>

#include "lib/http/api_call.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::master::testing {

MasterFlags test_master_flags(const std::string& work_dir) {
  MasterFlags flags;
  flags.work_dir = work_dir;
  flags.allocation_interval = Duration::milliseconds(50);
  flags.agent_ping_timeout = Duration::milliseconds(200);
  flags.max_agent_ping_timeouts = 3;
  flags.heartbeat_interval = Duration::seconds(15);
  flags.quiet = true;
  flags.port = 0;  // an ephemeral port
  return flags;
}

MasterProcess::MasterProcess(MasterFlags flags) {
  MasterOptions options;
  options.flags = flags;
  options.cluster = "test";
  options.advertised_ip = "127.0.0.1";
  options.hostname = "127.0.0.1";
  if (flags.weights) options.weights = parse_weights(*flags.weights).value_or(std::map<std::string, double>{});
  if (flags.roles) options.whitelisted_roles = parse_roles(*flags.roles).value_or(std::vector<std::string>{});
  options.flag_values = {{"work_dir", flags.work_dir}, {"port", std::to_string(flags.port)}};
  loop_.start_thread();
  std::promise<void> started;
  loop_.post([&] {
    master_ = std::make_unique<Master>(
        loop_, options, metrics_, make_drf_allocator(),
        flags.zk ? nullptr : make_local_registry(loop_, flags.work_dir));
    http::ServerOptions server_options;
    server_options.address = "127.0.0.1";
    server_options.port = flags.port;
    server_ = std::make_unique<http::Server>(loop_, server_options, master_->routes());
    port_ = server_->start().value_or(0);
    if (!flags.zk) {
      master_->start(port_, [&](Status) { started.set_value(); });
      return;
    }
    master_->standby(port_);
    election_ = std::make_unique<MasterElection>(
        loop_, *master_, *zk::ZkUrl::parse(*flags.zk), flags.zk_session_timeout,
        [this](std::string why) {
          stepped_down_ = why;
          master_->stop();
          election_.reset();
        });
    election_->start();
    started.set_value();
  });
  started.get_future().wait();
}

MasterProcess::~MasterProcess() {
  loop_.call([&] {
    election_.reset();
    master_->stop();
    server_.reset();
    master_.reset();
  });
  loop_.stop();
  loop_.join();
}

TestClient::TestClient() {
  loop_.start_thread();
  loop_.call([&] { client_ = std::make_unique<http::Client>(loop_); });
}

TestClient::~TestClient() {
  loop_.call([&] { client_.reset(); });
  loop_.stop();
  loop_.join();
}

http::Response TestClient::send(const std::string& url, http::Request request) {
  std::promise<Result<http::Response>> done;
  loop_.post([&] {
    client_->send(*http::Url::parse(url), std::move(request),
                  [&](Result<http::Response> r) { done.set_value(std::move(r)); });
  });
  Result<http::Response> response = done.get_future().get();
  if (!response.ok()) return http::text_response(599, response.error());
  return *response;
}

http::Response TestClient::get(const std::string& url) {
  http::Request request;
  request.method = "GET";
  return send(url, std::move(request));
}

http::Response TestClient::post_json(const std::string& url, const nlohmann::json& body,
                                     const std::string& stream_id) {
  return send(url, http::api_call_request(body, stream_id));
}

struct RawSchedulerDecoder {
  recordio::Decoder decoder;
};

RawScheduler::RawScheduler(TestClient& client, std::string master_url)
    : client_(client), url_(std::move(master_url)), decoder_(std::make_shared<RawSchedulerDecoder>()) {}

RawScheduler::~RawScheduler() { disconnect(); }

int RawScheduler::subscribe(const nlohmann::json& framework_info) {
  disconnect();
  {
    std::lock_guard lock(mutex_);
    status_ = 0;
    ended_ = false;
    events_.clear();
    decoder_ = std::make_shared<RawSchedulerDecoder>();
  }
  http::Request request;
  request.method = "POST";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  nlohmann::json call{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", framework_info}}}};
  if (framework_info.contains("id")) call["framework_id"] = framework_info["id"];
  request.body = call.dump();
  auto decoder = decoder_;
  http::Client::StreamCallbacks callbacks;
  callbacks.on_head = [this](const http::Response& head) {
    std::lock_guard lock(mutex_);
    status_ = head.status;
    stream_id_ = std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
    changed_.notify_all();
  };
  callbacks.on_data = [this, decoder](std::string_view data) {
    if (!decoder->decoder.feed(data).ok()) return;
    std::lock_guard lock(mutex_);
    while (auto record = decoder->decoder.next()) {
      nlohmann::json event = nlohmann::json::parse(*record, nullptr, false);
      if (event.is_discarded()) continue;
      if (event.value("type", "") == "SUBSCRIBED") {
        framework_id_ = event["subscribed"]["framework_id"]["value"];
      }
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  };
  callbacks.on_end = [this](Status) {
    std::lock_guard lock(mutex_);
    ended_ = true;
    if (status_ == 0) status_ = -1;
    changed_.notify_all();
  };
  // Each subscription gets a client of its own so that disconnect() can
  // drop exactly this connection.
  client_.loop().call([&] {
    stream_client_ = std::make_unique<http::Client>(client_.loop());
    stream_ = stream_client_->open_stream(*http::Url::parse(url_ + "/api/v1/scheduler"),
                                          std::move(request), std::move(callbacks));
  });
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::seconds(10), [&] { return status_ != 0; });
  return status_;
}

void RawScheduler::disconnect() {
  client_.loop().call([&] {
    if (stream_) stream_->cancel();
    stream_ = nullptr;
    stream_client_.reset();
  });
}

nlohmann::json RawScheduler::wait_for(const std::string& type, Duration timeout) {
  std::unique_lock lock(mutex_);
  nlohmann::json found;
  changed_.wait_for(lock, timeout.chrono(), [&] {
    for (auto it = events_.begin(); it != events_.end(); ++it) {
      if (it->value("type", "") == type) {
        found = std::move(*it);
        events_.erase(it);
        return true;
      }
    }
    return false;
  });
  return found;
}

http::Response RawScheduler::call(nlohmann::json body) {
  if (!body.contains("framework_id")) body["framework_id"] = {{"value", framework_id()}};
  return client_.post_json(url_ + "/api/v1/scheduler", body, stream_id());
}

std::string RawScheduler::framework_id() const {
  std::lock_guard lock(mutex_);
  return framework_id_;
}

std::string RawScheduler::stream_id() const {
  std::lock_guard lock(mutex_);
  return stream_id_;
}

bool RawScheduler::stream_ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

bool eventually(const std::function<bool()>& condition, Duration timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout.chrono();
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace cairn::master::testing
