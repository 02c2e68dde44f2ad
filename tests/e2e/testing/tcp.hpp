// Small blocking TCP clients for probing what e2e tests start: whether a
// port accepts connections, and one request/response exchange (ZooKeeper's
// four-letter words, a plain HTTP/1.0 GET).
//
// Every call has a deadline, so a partitioned or hung peer costs the test a
// bounded wait instead of a hang. Sockets belong to the network namespace of
// the thread that creates them: call these inside Host::in_namespace() to
// probe from a test host, or directly to probe from the test's own
// (root) namespace.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/duration.hpp"

namespace cairn::e2e {

// Ok once a TCP handshake with address:port (IPv4 dotted quad) completes
// within `timeout`; the connection is closed right away.
Status tcp_connect(const std::string& address, int port, Duration timeout);

// Connects, sends `request`, and reads until the peer closes the connection;
// the value is everything it sent. Errors on refusal, reset or the deadline
// (which covers the whole exchange).
Result<std::string> tcp_exchange(const std::string& address, int port, std::string_view request,
                                 Duration timeout);

// A port on `address` that nothing listens on at the moment of the call
// (the kernel's choice for bind(port 0)); another process may take it
// before the caller binds it, which is rare enough for tests.
Result<int> free_tcp_port(const std::string& address);
// `count` distinct such ports (all held open while choosing).
Result<std::vector<int>> free_tcp_ports(const std::string& address, size_t count);

// A socket listening on address:port (port 0: any) in the calling thread's
// namespace; the kernel completes handshakes without accept(), which is
// all a reachability probe needs. Closes on destruction.
class TcpListener {
 public:
  static Result<TcpListener> open(const std::string& address, int port);
  TcpListener(TcpListener&& other) noexcept;
  TcpListener& operator=(TcpListener&& other) noexcept;
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  ~TcpListener();

  int port() const { return port_; }

 private:
  TcpListener(int fd, int port) : fd_(fd), port_(port) {}
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace cairn::e2e
