#include "lib/http/client.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "lib/http/testing/harness.hpp"

namespace cairn::http {
namespace {

using testing::Harness;

Router counting_router(int* hits) {
  Router r;
  r.add("/count", "", [hits](Request, Responder res) {
    ++*hits;
    res.respond(text_response(200, std::to_string(*hits)));
  });
  return r;
}

TEST(Client, ReportsConnectionRefused) {
  Harness h;
  ASSERT_TRUE(h.serve(Router{}).ok());
  const uint16_t port = h.server->port();
  h.loop.call([&] { h.server.reset(); });
  auto r = h.fetch("http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("cannot connect to 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << r.error();
}

TEST(Client, RetriesOnceWhenAPooledConnectionWasClosedByTheServer) {
  Harness h;
  int hits = 0;
  ServerOptions o;
  o.idle_timeout = Duration::milliseconds(30);  // the server drops idle connections quickly
  ASSERT_TRUE(h.serve(counting_router(&hits), o).ok());
  ASSERT_EQ(h.fetch(h.url("/count"))->body, "1\n");
  while (h.server_stats().connections_active != 0)
    std::this_thread::yield();
  auto second = h.fetch(h.url("/count"));
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(second->body, "2\n");  // processed exactly once
  EXPECT_EQ(h.client_stats().connections_opened, 2u);
}

TEST(Client, TimesOutASlowServer) {
  Harness h;
  Router r;
  std::vector<Responder> never;
  r.add("/hang", "", [&](Request, Responder res) { never.push_back(res); });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  ClientOptions o;
  o.request_timeout = Duration::milliseconds(50);
  h.use_client(o);
  auto result = h.fetch(h.url("/hang"));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("timed out"), std::string::npos) << result.error();
  h.loop.call([&] { never.clear(); });
}

TEST(Client, RefusesResponsesOverTheLimit) {
  Harness h;
  Router r;
  r.add("/big", "", [](Request, Responder res) {
    res.respond(Response(200, "text/plain", std::string(5000, 'x')));
  });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  ClientOptions o;
  o.max_response_bytes = 1000;
  h.use_client(o);
  auto result = h.fetch(h.url("/big"));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("body limit"), std::string::npos) << result.error();
}

TEST(Client, StreamGivesErrorBodiesWhole) {
  Harness h;
  Router r;
  r.add("/api", "",
        [](Request, Responder res) { res.respond(text_response(400, "Failed to parse body")); });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  std::promise<Response> head;
  std::promise<Status> end;
  bool got_data = false;
  h.loop.post([&] {
    h.client = std::make_unique<Client>(h.loop);
    h.client->open_stream(
        *Url::parse(h.url("/api")), Request{},
        {[&](const Response& r) { head.set_value(r); }, [&](std::string_view) { got_data = true; },
         [&](Status s) { end.set_value(s); }});
  });
  Response got = head.get_future().get();
  EXPECT_EQ(got.status, 400);
  EXPECT_EQ(got.body, "Failed to parse body\n");
  EXPECT_TRUE(end.get_future().get().ok());
  EXPECT_FALSE(got_data);
}

TEST(Client, CancelledStreamsCallNothingMore) {
  Harness h;
  Router r;
  std::shared_ptr<StreamWriter> writer;
  std::promise<void> server_saw_close;
  r.add("/events", "", [&](Request, Responder res) {
    writer = res.stream(Response(200, "application/json", ""));
    writer->on_close([&] { server_saw_close.set_value(); });
    writer->write("first");
  });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  std::promise<void> got_first;
  int calls_after_cancel = 0;
  std::shared_ptr<ClientStream> stream;
  bool cancelled = false;
  h.loop.post([&] {
    h.client = std::make_unique<Client>(h.loop);
    stream = h.client->open_stream(*Url::parse(h.url("/events")), Request{},
                                   {nullptr,
                                    [&](std::string_view) {
                                      if (cancelled) ++calls_after_cancel;
                                      stream->cancel();
                                      cancelled = true;
                                      got_first.set_value();
                                    },
                                    [&](Status) { ++calls_after_cancel; }});
  });
  got_first.get_future().wait();
  server_saw_close.get_future().wait();
  h.loop.call([&] {
    EXPECT_EQ(calls_after_cancel, 0);
    writer.reset();
    stream.reset();
  });
}

}  // namespace
}  // namespace cairn::http
