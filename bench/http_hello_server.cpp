// A minimal lib/http server for bench/http_bench.sh: GET /hello answers
// "hello\n" on one EventLoop thread, like a daemon's cheapest endpoint.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/event/event_loop.hpp"
#include "lib/http/server.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: http_hello_server PORT\n");
    return 2;
  }
  cairn::EventLoop loop;
  cairn::http::Router router;
  router.add("/hello", "benchmark endpoint", [](cairn::http::Request, cairn::http::Responder r) {
    r.respond(cairn::http::Response(200, "text/plain", "hello\n"));
  });
  cairn::http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = static_cast<uint16_t>(std::atoi(argv[1]));
  cairn::http::Server server(loop, options, std::move(router));
  auto port = server.start();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.error().c_str());
    return 1;
  }
  loop.run();
}
