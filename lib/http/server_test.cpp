#include "lib/http/server.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "lib/http/testing/harness.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::http {
namespace {

using testing::Harness;
using testing::RawSocket;

Router hello_router() {
  Router r;
  r.add("/hello", "says hello", [](Request req, Responder res) {
    res.respond(text_response(200, "hello " + req.param("name").value_or("world")));
  });
  r.add("/echo", "echoes the body", [](Request req, Responder res) {
    Response out(200, "application/octet-stream", req.body);
    out.headers.set("X-Method", req.method);
    res.respond(std::move(out));
  });
  return r;
}

TEST(Server, RoutesAndAnswers) {
  Harness h;
  ASSERT_TRUE(h.serve(hello_router()).ok());
  auto r = h.fetch(h.url("/hello?name=cairn%20user"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello cairn user\n");
  EXPECT_EQ(r->headers.get("Server").value_or(""), "cairn");

  Request post;
  post.method = "POST";
  post.body = std::string(100000, 'x');
  auto e = h.fetch(h.url("/echo"), post);
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e->body, post.body);
  EXPECT_EQ(e->headers.get("x-method").value_or(""), "POST");

  auto missing = h.fetch(h.url("/nope"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("'/nope'"), std::string::npos);
}

TEST(Server, PrefixRoutesAndLongestMatch) {
  Router r;
  r.add_prefix("/files/", "files", [](Request req, Responder res) {
    res.respond(text_response(200, "prefix " + req.path));
  });
  r.add("/files/browse", "browse",
        [](Request, Responder res) { res.respond(text_response(200, "exact")); });
  Harness h;
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  EXPECT_EQ(h.fetch(h.url("/files/browse"))->body, "exact\n");
  EXPECT_EQ(h.fetch(h.url("/files/read"))->body, "prefix /files/read\n");
}

TEST(Server, KeepAliveReusesOneConnection) {
  Harness h;
  ASSERT_TRUE(h.serve(hello_router()).ok());
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(h.fetch(h.url("/hello"))->status, 200);
  EXPECT_EQ(h.server_stats().connections_accepted, 1u);
  EXPECT_EQ(h.server_stats().requests, 20u);
  EXPECT_EQ(h.client_stats().connections_opened, 1u);
  EXPECT_EQ(h.client_stats().connections_reused, 19u);
}

TEST(Server, AnswersLaterFromATimer) {
  Harness h;
  Router r;
  std::vector<Timer> timers;
  r.add("/slow", "answers later", [&](Request, Responder res) {
    timers.push_back(h.loop.after(Duration::milliseconds(20),
                                  [res]() mutable { res.respond(text_response(202, "done")); }));
  });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  auto resp = h.fetch(h.url("/slow"));
  ASSERT_TRUE(resp.ok()) << resp.error();
  EXPECT_EQ(resp->status, 202);
  h.loop.call([&] { timers.clear(); });
}

TEST(Server, UnansweredOrThrowingHandlersGive500) {
  Harness h;
  Router r;
  r.add("/forgets", "", [](Request, Responder) {});
  r.add("/throws", "", [](Request, Responder) { throw std::runtime_error("boom"); });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  auto forgets = h.fetch(h.url("/forgets"));
  ASSERT_TRUE(forgets.ok());
  EXPECT_EQ(forgets->status, 500);
  auto throws = h.fetch(h.url("/throws"));
  ASSERT_TRUE(throws.ok());
  EXPECT_EQ(throws->status, 500);
  EXPECT_NE(throws->body.find("boom"), std::string::npos);
  // The server is still fine afterwards.
  EXPECT_EQ(h.fetch(h.url("/forgets"))->status, 500);
}

TEST(Server, MalformedRequestsGet400AndTheServerLivesOn) {
  Harness h;
  ASSERT_TRUE(h.serve(hello_router()).ok());
  for (std::string bad :
       {"GARBAGE\r\n\r\n", "GET /hello XTTP/1.1\r\n\r\n",
        "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", "GET /hello?x=%zz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    RawSocket s(h.server->port());
    ASSERT_TRUE(s.send(bad));
    std::string reply = s.read_all();
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << bad << " -> " << reply;
  }
  EXPECT_EQ(h.fetch(h.url("/hello"))->status, 200);
}

TEST(Server, EnforcesHeaderAndBodyLimits) {
  Harness h;
  ServerOptions o;
  o.max_header_bytes = 1024;
  o.max_body_bytes = 1000;
  ASSERT_TRUE(h.serve(hello_router(), o).ok());
  Request big_body;
  big_body.method = "POST";
  big_body.body = std::string(1001, 'x');
  auto r = h.fetch(h.url("/echo"), big_body);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->status, 413);
  EXPECT_NE(r->body.find("limit of 1000"), std::string::npos);

  RawSocket s(h.server->port());
  s.send("GET /hello HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(s.read_all().starts_with("HTTP/1.1 431"));
}

TEST(Server, ClosesConnectionsThatSendTooSlowly) {
  Harness h;
  ServerOptions o;
  o.request_timeout = Duration::milliseconds(100);
  ASSERT_TRUE(h.serve(hello_router(), o).ok());
  RawSocket s(h.server->port());
  ASSERT_TRUE(s.send("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  EXPECT_EQ(s.read_all(), "");  // closed by the server, not by our 10 s receive timeout
  // The connection object goes away right after its socket closes.
  while (h.server_stats().connections_active != 0)
    std::this_thread::yield();
}

TEST(Server, HonoursExpect100Continue) {
  Harness h;
  ASSERT_TRUE(h.serve(hello_router()).ok());
  RawSocket s(h.server->port());
  s.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_NE(s.read_until("\r\n\r\n").find("100 Continue"), std::string::npos);
  s.send("abcde");
  std::string reply = s.read_until("abcde");
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << reply;
}

TEST(Server, StreamsChunksUntilClosed) {
  Harness h;
  Router r;
  std::shared_ptr<StreamWriter> writer;
  std::vector<Timer> timers;
  r.add("/events", "event stream", [&](Request, Responder res) {
    Response head(200, "application/json", "");
    head.headers.set("Mesos-Stream-Id", "abc");
    writer = res.stream(std::move(head));
    writer->write(recordio::encode(R"({"type":"SUBSCRIBED"})"));
    timers.push_back(h.loop.after(Duration::milliseconds(10), [&] {
      writer->write(recordio::encode(R"({"type":"HEARTBEAT"})"));
      writer->write("");  // empty writes must not end the stream
      writer->close();
      EXPECT_FALSE(writer->write("late"));
    }));
  });
  ASSERT_TRUE(h.serve(std::move(r)).ok());

  std::promise<Status> ended;
  recordio::Decoder decoder;
  std::vector<std::string> events;
  std::string stream_id;
  h.loop.post([&] {
    h.client = std::make_unique<Client>(h.loop);
    h.client->open_stream(*Url::parse(h.url("/events")), Request{},
                          {[&](const Response& head) {
                             stream_id =
                                 std::string(head.headers.get("Mesos-Stream-Id").value_or(""));
                           },
                           [&](std::string_view data) {
                             ASSERT_TRUE(decoder.feed(data).ok());
                             while (auto e = decoder.next())
                               events.push_back(*e);
                           },
                           [&](Status s) { ended.set_value(s); }});
  });
  Status end = ended.get_future().get();
  EXPECT_TRUE(end.ok()) << end.error();
  EXPECT_EQ(stream_id, "abc");
  EXPECT_EQ(events,
            (std::vector<std::string>{R"({"type":"SUBSCRIBED"})", R"({"type":"HEARTBEAT"})"}));
  h.loop.call([&] {
    timers.clear();
    writer.reset();
  });
}

TEST(Server, TellsTheStreamOwnerWhenTheReaderGoesAway) {
  Harness h;
  Router r;
  std::promise<void> closed;
  std::shared_ptr<StreamWriter> writer;
  r.add("/events", "", [&](Request, Responder res) {
    writer = res.stream(Response(200, "application/json", ""));
    writer->on_close([&] { closed.set_value(); });
    writer->write("7\nhello!!");
  });
  ASSERT_TRUE(h.serve(std::move(r)).ok());
  {
    RawSocket s(h.server->port());
    s.send("POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    EXPECT_NE(s.read_until("hello!!").find("hello!!"), std::string::npos);
  }  // socket closed here
  closed.get_future().wait();
  h.loop.call([&] {
    EXPECT_TRUE(writer->closed());
    EXPECT_FALSE(writer->write("more"));
    writer.reset();
  });
}

TEST(Server, GracefulStopFinishesInFlightWorkAndClosesStreams) {
  Harness h;
  Router r;
  std::vector<Responder> waiting;
  std::shared_ptr<StreamWriter> writer;
  std::promise<void> request_arrived;
  r.add("/slow", "", [&](Request, Responder res) {
    waiting.push_back(res);
    request_arrived.set_value();
  });
  r.add("/events", "", [&](Request, Responder res) {
    writer = res.stream(Response(200, "application/json", ""));
  });
  ASSERT_TRUE(h.serve(std::move(r)).ok());

  std::promise<Status> stream_end;
  std::promise<Result<Response>> slow;
  h.loop.post([&] {
    h.client = std::make_unique<Client>(h.loop);
    h.client->open_stream(*Url::parse(h.url("/events")), Request{},
                          {nullptr, nullptr, [&](Status s) { stream_end.set_value(s); }});
    h.client->send(*Url::parse(h.url("/slow")), Request{},
                   [&](Result<Response> r) { slow.set_value(std::move(r)); });
  });
  request_arrived.get_future().wait();

  std::promise<void> stopped;
  h.loop.post([&] {
    h.server->stop(Duration::seconds(30), [&] { stopped.set_value(); });
    // The in-flight request still gets its answer.
    waiting.front().respond(text_response(200, "finished"));
    waiting.clear();
  });
  auto slow_result = slow.get_future().get();
  ASSERT_TRUE(slow_result.ok()) << slow_result.error();
  EXPECT_EQ(slow_result->body, "finished\n");
  EXPECT_TRUE(stream_end.get_future().get().ok());  // clean final chunk
  stopped.get_future().wait();
  EXPECT_EQ(h.server_stats().connections_active, 0u);
  RawSocket refused(h.server->port());
  EXPECT_FALSE(refused.connected());
  h.loop.call([&] { writer.reset(); });
}

TEST(Server, RefusesConnectionsOverTheCap) {
  Harness h;
  ServerOptions o;
  o.max_connections = 1;
  ASSERT_TRUE(h.serve(hello_router(), o).ok());
  RawSocket first(h.server->port());
  ASSERT_TRUE(first.connected());
  while (h.server_stats().connections_active == 0)
    std::this_thread::yield();
  RawSocket second(h.server->port());
  second.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(second.read_all(), "");
  EXPECT_EQ(h.server_stats().connections_refused, 1u);
}

TEST(Server, ReportsBadListenAddresses) {
  Harness h;
  auto first = h.serve(hello_router());
  ASSERT_TRUE(first.ok());
  EventLoop loop;
  ServerOptions taken;
  taken.address = "127.0.0.1";
  taken.port = *first;
  Server clash(loop, taken, Router{});
  auto r = clash.start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("cannot listen on 127.0.0.1:"), std::string::npos) << r.error();
  ServerOptions bad;
  bad.address = "not-an-ip";
  Server nonsense(loop, bad, Router{});
  EXPECT_NE(nonsense.start().error().find("invalid listen address"), std::string::npos);
}

}  // namespace
}  // namespace cairn::http
