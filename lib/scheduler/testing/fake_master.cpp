#include "lib/scheduler/testing/fake_master.hpp"

#include "lib/base/uuid.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/api_call.hpp"
#include "lib/http/server.hpp"
#include "lib/mesos/scheduler_call.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::scheduler::testing {

using nlohmann::json;

std::string ReceivedCall::type() const {
  return body.is_object() && body.contains("type") && body["type"].is_string()
             ? body["type"].get<std::string>()
             : "";
}

// Loop-owned except the constructor's results.
struct FakeMaster::Impl {
  EventLoop loop;
  std::unique_ptr<http::Server> server;
  std::string error;
  uint16_t port = 0;

  std::string framework_id;
  double heartbeat_interval = 15;
  std::string redirect_all;
  std::string redirect_call;
  int call_status = 0;
  std::string call_body;
  int subscribe_status = 0;
  std::string subscribe_body;

  std::shared_ptr<http::StreamWriter> writer;
  std::string current_stream_id;
  std::string subscribed_framework_id;
  int subscriptions = 0;
  std::vector<ReceivedCall> calls;

  static http::Response json_error(int status, const std::string& message) {
    return http::text_response(status, message);
  }

  void handle(http::Request request, http::Responder responder) {
    if (!redirect_all.empty()) {
      http::Response redirect(307, "", "");
      redirect.headers.set("Location", redirect_all);
      return responder.respond(std::move(redirect));
    }
    auto check = http::check_api_call(request);
    if (!check.format) return responder.respond(std::move(check.error));
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return responder.respond(json_error(400, "Failed to parse body into JSON"));
    }
    // The parser the real master uses: a call it would refuse fails here too.
    if (auto parsed = mesos::scheduler_call_from_json(body); !parsed.ok()) {
      return responder.respond(
          json_error(400, "Failed to validate scheduler::Call: " + parsed.error()));
    }
    ReceivedCall call;
    call.path = request.path;
    call.content_type = std::string(request.header("Content-Type").value_or(""));
    call.accept = std::string(request.header("Accept").value_or(""));
    call.stream_id = std::string(request.header("Mesos-Stream-Id").value_or(""));
    call.authorization = std::string(request.header("Authorization").value_or(""));
    call.body = body;
    if (call.type() == "SUBSCRIBE") return subscribe(std::move(call), std::move(responder));
    other_call(std::move(call), std::move(responder));
  }

  void record(ReceivedCall call, int status) {
    call.status = status;
    calls.push_back(std::move(call));
  }

  void subscribe(ReceivedCall call, http::Responder responder) {
    if (!call.stream_id.empty()) {
      record(std::move(call), 400);
      return responder.respond(
          json_error(400, "Expecting 'Mesos-Stream-Id' header to be absent for SUBSCRIBE"));
    }
    if (subscribe_status != 0) {
      record(std::move(call), subscribe_status);
      return responder.respond(http::text_response(subscribe_status, subscribe_body));
    }
    const json& info = call.body.contains("subscribe") ? call.body["subscribe"] : json();
    if (!info.is_object() || !info.contains("framework_info") ||
        !info["framework_info"].is_object()) {
      record(std::move(call), 400);
      return responder.respond(json_error(400, "Expecting 'subscribe.framework_info'"));
    }
    const json& framework_info = info["framework_info"];
    std::string id = framework_id;
    if (framework_info.contains("id")) {
      const json& given = framework_info["id"];
      if (!given.is_object() || !given.contains("value") || !given["value"].is_string()) {
        record(std::move(call), 400);
        return responder.respond(json_error(400, "framework_info.id must be {\"value\": ...}"));
      }
      id = given["value"].get<std::string>();
    }
    // One subscription per framework: the new one replaces the old.
    close_writer();
    current_stream_id = Uuid::random().to_string();
    subscribed_framework_id = id;
    http::Response head(200, "application/json", "");
    head.headers.set("Mesos-Stream-Id", current_stream_id);
    writer = responder.stream(std::move(head));
    record(std::move(call), 200);
    if (!writer) return;
    ++subscriptions;
    // Not reset from inside the writer's own callback.
    writer->on_close([this, raw = writer.get()] {
      loop.post([this, raw] {
        if (writer.get() == raw) writer.reset();
      });
    });
    write(json{{"type", "SUBSCRIBED"},
               {"subscribed",
                {{"framework_id", {{"value", id}}},
                 {"heartbeat_interval_seconds", heartbeat_interval},
                 {"master_info",
                  {{"id", "fake-master"},
                   {"ip", 16777343},
                   {"port", port},
                   {"hostname", "127.0.0.1"},
                   {"version", "1.11.0"}}}}}});
  }

  void other_call(ReceivedCall call, http::Responder responder) {
    if (!redirect_call.empty()) {
      http::Response redirect(307, "", "");
      redirect.headers.set("Location", std::exchange(redirect_call, ""));
      record(std::move(call), 307);
      return responder.respond(std::move(redirect));
    }
    if (!writer) {
      record(std::move(call), 403);
      return responder.respond(json_error(403, "Framework is not subscribed"));
    }
    if (call.stream_id.empty()) {
      record(std::move(call), 400);
      return responder.respond(
          json_error(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"));
    }
    if (call.stream_id != current_stream_id) {
      record(std::move(call), 400);
      return responder.respond(json_error(400,
                                          "The stream ID included in this request didn't "
                                          "match the stream ID currently associated with "
                                          "framework ID " +
                                              subscribed_framework_id));
    }
    const json* fid = call.body.contains("framework_id") ? &call.body["framework_id"] : nullptr;
    const json* value =
        fid && fid->is_object() && fid->contains("value") ? &(*fid)["value"] : nullptr;
    if (!value || *value != subscribed_framework_id) {
      record(std::move(call), 400);
      return responder.respond(json_error(400, "Call has no or the wrong 'framework_id'"));
    }
    const bool teardown = call.type() == "TEARDOWN";
    const int status = call_status != 0 ? call_status : 202;
    record(std::move(call), status);
    responder.respond(call_status != 0 ? http::text_response(call_status, call_body)
                                       : http::Response(202, "", ""));
    if (teardown && status == 202) close_writer();
  }

  void close_writer() {
    if (auto w = std::move(writer)) w->close();
  }

  bool write(const json& event) {
    if (!writer || writer->closed()) return false;
    return writer->write(recordio::encode(event.dump()));
  }
};

FakeMaster::FakeMaster(std::string framework_id, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->framework_id = std::move(framework_id);
  impl_->loop.start_thread();
  impl_->loop.call([&] {
    http::Router router;
    auto handler = [impl = impl_.get()](http::Request request, http::Responder responder) {
      impl->handle(std::move(request), std::move(responder));
    };
    router.add("/api/v1/scheduler", "Scheduler API (fake)", handler);
    router.add("/master/api/v1/scheduler", "Scheduler API (fake)", handler);
    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = port;
    impl_->server = std::make_unique<http::Server>(impl_->loop, options, std::move(router));
    auto bound = impl_->server->start();
    if (bound.ok()) {
      impl_->port = *bound;
    } else {
      impl_->error = bound.error();
    }
  });
}

FakeMaster::~FakeMaster() {
  impl_->loop.call([&] {
    impl_->writer.reset();
    impl_->server.reset();
  });
  impl_->loop.stop();
  impl_->loop.join();
}

bool FakeMaster::ok() const {
  return impl_->error.empty();
}

const std::string& FakeMaster::error() const {
  return impl_->error;
}

uint16_t FakeMaster::port() const {
  return impl_->port;
}

std::string FakeMaster::address() const {
  return "127.0.0.1:" + std::to_string(impl_->port);
}

void FakeMaster::set_heartbeat_interval(double seconds) {
  impl_->loop.call([&] { impl_->heartbeat_interval = seconds; });
}

void FakeMaster::redirect_to(std::string location) {
  impl_->loop.call([&] { impl_->redirect_all = std::move(location); });
}

void FakeMaster::redirect_next_call(std::string location) {
  impl_->loop.call([&] { impl_->redirect_call = std::move(location); });
}

void FakeMaster::set_call_status(int status, std::string body) {
  impl_->loop.call([&] {
    impl_->call_status = status;
    impl_->call_body = std::move(body);
  });
}

void FakeMaster::set_subscribe_status(int status, std::string body) {
  impl_->loop.call([&] {
    impl_->subscribe_status = status;
    impl_->subscribe_body = std::move(body);
  });
}

bool FakeMaster::send(const json& event) {
  return impl_->loop.call([&] { return impl_->write(event); });
}

void FakeMaster::close_stream() {
  impl_->loop.call([&] { impl_->close_writer(); });
}

bool FakeMaster::streaming() const {
  return impl_->loop.call([&] { return impl_->writer && !impl_->writer->closed(); });
}

std::string FakeMaster::stream_id() const {
  return impl_->loop.call([&] { return impl_->current_stream_id; });
}

int FakeMaster::subscriptions() const {
  return impl_->loop.call([&] { return impl_->subscriptions; });
}

std::vector<ReceivedCall> FakeMaster::calls() const {
  return impl_->loop.call([&] { return impl_->calls; });
}

std::vector<ReceivedCall> FakeMaster::calls_of(const std::string& type) const {
  return impl_->loop.call([&] {
    std::vector<ReceivedCall> out;
    for (const auto& c : impl_->calls)
      if (c.type() == type) out.push_back(c);
    return out;
  });
}

}  // namespace cairn::scheduler::testing
