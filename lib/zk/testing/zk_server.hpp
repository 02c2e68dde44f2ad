// A real standalone ZooKeeper server (Debian's `zookeeper` package) on a
// free loopback port, for tests of code that talks to ZooKeeper. It can be
// stopped and started again on the same port and data, to test sessions
// that lose their server. Multi-server ensembles on network namespaces are
// in tests/e2e/testing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "lib/base/result.hpp"

namespace cairn::zk::testing {

// Empty when the server can run here; otherwise why not (tests skip).
std::string zookeeper_unavailable();

class ZooKeeperServer {
 public:
  explicit ZooKeeperServer(std::string dir);
  ~ZooKeeperServer();  // kills the server
  ZooKeeperServer(const ZooKeeperServer&) = delete;
  ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;

  // Starts (or restarts) the server and waits until it serves clients.
  Status start();
  // SIGKILL, as a crash: sessions stay alive on the server's side until it
  // comes back and expires them.
  void kill();

  std::string connect_string() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }

 private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace cairn::zk::testing
