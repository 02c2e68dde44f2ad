// HTTP/1.1 server for every Cairn daemon (Boost.Beast underneath).
//
// Runs on the daemon's EventLoop: handlers are called on the loop thread in
// arrival order per connection. Supports keep-alive, `Expect: 100-continue`,
// chunked streaming responses that stay open for hours (event streams),
// optional TLS with client-certificate verification, limits on header and
// body size (431/413), read timeouts against slow clients, a connection cap,
// and a graceful stop that lets in-flight requests finish and closes streams
// cleanly. Malformed requests get a 400 naming the problem; nothing a client
// sends can crash the daemon.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/router.hpp"
#include "lib/http/tls.hpp"

namespace cairn::http {

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 0;  // 0: pick a free port (see Server::port())
  std::optional<TlsServerOptions> tls;
  size_t max_header_bytes = 64 * 1024;
  size_t max_body_bytes = 16 * 1024 * 1024;
  // Time allowed to receive a whole request, and to wait for the next one on
  // an idle keep-alive connection.
  Duration request_timeout = Duration::seconds(30);
  Duration idle_timeout = Duration::seconds(75);
  // A stream whose reader takes longer than this to accept a chunk is cut.
  Duration write_timeout = Duration::seconds(60);
  size_t max_connections = 10000;
  // Added to every response ("Server" header).
  std::string server_name = "cairn";
};

struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_active = 0;
  uint64_t connections_refused = 0;  // over max_connections
  uint64_t requests = 0;
  uint64_t streams_active = 0;
};

class Server {
 public:
  Server(EventLoop& loop, ServerOptions options, Router router);
  ~Server();  // closes every connection at once
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; returns the bound port. Call on the loop
  // thread (or before the loop runs).
  Result<uint16_t> start();
  uint16_t port() const;

  // Stops accepting; idle connections close at once, in-flight requests may
  // finish and streams get their final chunk; whatever is left after `grace`
  // is cut. `done` runs on the loop when the last connection is gone.
  void stop(Duration grace, std::function<void()> done = {});

  ServerStats stats() const;

  // Defined in the .cpp; public only so that its helpers can name it.
  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::http
