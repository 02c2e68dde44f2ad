#include "tests/e2e/testing/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace cairn::e2e {

namespace {

using Clock = std::chrono::steady_clock;

std::string endpoint(const std::string& address, int port) {
  return address + ":" + std::to_string(port);
}

Result<sockaddr_in> make_address(const std::string& address, int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    return Error("'" + address + "' is not an IPv4 address");
  }
  return sa;
}

// Milliseconds left until `deadline`, at least 0.
int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is ready for `events` or the deadline passes.
Status wait_for(int fd, short events, Clock::time_point deadline, const std::string& what) {
  while (true) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return ok_status();
    if (n == 0) return Error("timed out " + what);
    if (errno != EINTR) return Error(what + ": poll: " + std::strerror(errno));
  }
}

// A non-blocking socket connected to address:port, or why not.
Result<int> connect_by(const std::string& address, int port, Clock::time_point deadline) {
  Result<sockaddr_in> sa = make_address(address, port);
  if (!sa.ok()) return Error(sa.error());
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(std::string("socket: ") + std::strerror(errno));
  const std::string where = endpoint(address, port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*sa), sizeof(sockaddr_in)) != 0) {
    if (errno != EINPROGRESS) {
      int err = errno;
      ::close(fd);
      return Error("cannot connect to " + where + ": " + std::strerror(err));
    }
    Status ready = wait_for(fd, POLLOUT, deadline, "connecting to " + where);
    if (!ready.ok()) {
      ::close(fd);
      return Error(ready.error());
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ::close(fd);
      return Error("cannot connect to " + where + ": " + std::strerror(err));
    }
  }
  return fd;
}

}  // namespace

Status tcp_connect(const std::string& address, int port, Duration timeout) {
  Result<int> fd = connect_by(address, port, Clock::now() + timeout.chrono());
  if (!fd.ok()) return Error(fd.error());
  ::close(*fd);
  return ok_status();
}

Result<std::string> tcp_exchange(const std::string& address, int port, std::string_view request,
                                 Duration timeout) {
  const auto deadline = Clock::now() + timeout.chrono();
  const std::string where = endpoint(address, port);
  Result<int> connected = connect_by(address, port, deadline);
  if (!connected.ok()) return Error(connected.error());
  int fd = *connected;
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Status ready = wait_for(fd, POLLOUT, deadline, "sending to " + where);
      if (ready.ok()) continue;
      ::close(fd);
      return Error(ready.error());
    }
    int err = errno;
    ::close(fd);
    return Error("cannot send to " + where + ": " + std::strerror(err));
  }
  std::string response;
  char buffer[4096];
  while (true) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      response.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      Status ready = wait_for(fd, POLLIN, deadline, "reading from " + where);
      if (ready.ok()) continue;
      ::close(fd);
      return Error(ready.error() + " (got " + std::to_string(response.size()) + " bytes)");
    }
    int err = errno;
    ::close(fd);
    return Error("cannot read from " + where + ": " + std::strerror(err));
  }
  ::close(fd);
  return response;
}

Result<int> free_tcp_port(const std::string& address) {
  Result<TcpListener> listener = TcpListener::open(address, 0);
  if (!listener.ok()) return Error(listener.error());
  return listener->port();
}

Result<std::vector<int>> free_tcp_ports(const std::string& address, size_t count) {
  std::vector<TcpListener> held;
  std::vector<int> ports;
  for (size_t i = 0; i < count; ++i) {
    Result<TcpListener> listener = TcpListener::open(address, 0);
    if (!listener.ok()) return Error(listener.error());
    ports.push_back(listener->port());
    held.push_back(std::move(listener).value());
  }
  return ports;
}

Result<TcpListener> TcpListener::open(const std::string& address, int port) {
  Result<sockaddr_in> sa = make_address(address, port);
  if (!sa.ok()) return Error(sa.error());
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const std::string where = endpoint(address, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&*sa), sizeof(sockaddr_in)) != 0 ||
      ::listen(fd, 64) != 0) {
    int err = errno;
    ::close(fd);
    return Error("cannot listen on " + where + ": " + std::strerror(err));
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  return TcpListener(fd, ntohs(bound.sin_port));
}

TcpListener::TcpListener(TcpListener&& other) noexcept : fd_(other.fd_), port_(other.port_) {
  other.fd_ = -1;
}

TcpListener& TcpListener::operator=(TcpListener&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    port_ = other.port_;
    other.fd_ = -1;
  }
  return *this;
}

TcpListener::~TcpListener() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cairn::e2e
