// Test support: an EventLoop on its own thread with a server and a client,
// plus blocking helpers so tests read top to bottom, and a raw TCP socket for
// sending bytes no well-behaved client would send.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <string>

#include "lib/http/client.hpp"
#include "lib/http/server.hpp"

namespace cairn::http::testing {

class Harness {
 public:
  Harness() { loop.start_thread(); }
  ~Harness() {
    loop.call([&] {
      client.reset();
      server.reset();
    });
    loop.stop();
    loop.join();
  }

  Result<uint16_t> serve(Router router, ServerOptions options = {}) {
    options.address = "127.0.0.1";
    return loop.call([&]() -> Result<uint16_t> {
      server = std::make_unique<Server>(loop, std::move(options), std::move(router));
      return server->start();
    });
  }

  void use_client(ClientOptions options) {
    loop.call([&] { client = std::make_unique<Client>(loop, std::move(options)); });
  }

  std::string url(const std::string& target, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(server->port()) + target;
  }

  Result<Response> fetch(const std::string& url, Request request = {}) {
    std::promise<Result<Response>> result;
    loop.post([&] {
      if (!client) client = std::make_unique<Client>(loop);
      auto parsed = Url::parse(url);
      if (!parsed.ok()) return result.set_value(Error(parsed.error()));
      client->send(*parsed, std::move(request),
                   [&](Result<Response> r) { result.set_value(std::move(r)); });
    });
    return result.get_future().get();
  }

  ServerStats server_stats() {
    return loop.call([&] { return server->stats(); });
  }
  ClientStats client_stats() {
    return loop.call([&] { return client->stats(); });
  }

  EventLoop loop;
  std::unique_ptr<Server> server;
  std::unique_ptr<Client> client;
};

// A blocking TCP connection to 127.0.0.1:port with a receive timeout, so a
// test that expects the server to close never hangs forever.
class RawSocket {
 public:
  explicit RawSocket(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawSocket() { ::close(fd_); }

  bool connected() const { return connected_; }
  bool send(const std::string& data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Everything until the peer closes (or the timeout).
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  // Reads until `marker` has been seen (or the peer closes).
  std::string read_until(const std::string& marker) {
    std::string out;
    char c;
    while (out.find(marker) == std::string::npos && ::recv(fd_, &c, 1, 0) == 1)
      out += c;
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace cairn::http::testing
