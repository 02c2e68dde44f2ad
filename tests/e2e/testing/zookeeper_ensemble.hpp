// Real ZooKeeper servers for e2e tests: a standalone server or a
// three-node ensemble (Debian's zookeeper 3.8 jars on Java 17), each bound
// to an address the test chooses, optionally inside a test Host's network
// namespace, so tests can kill, restart and partition the servers Cairn's
// masters elect their leader through.
//
// Server i (0-based, myid i + 1) lives in WORK/zk<i+1>/: conf/zoo.cfg,
// data/myid, and server.log (stdout and stderr, slf4j-simple at INFO when
// that jar is present). tickTime defaults to 500 ms, so an election takes a
// couple of seconds. Health comes from the `srvr` four-letter word over
// TCP, the way an operator checks it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/duration.hpp"
#include "tests/e2e/testing/daemon_process.hpp"

namespace cairn::e2e {

class Host;

class ZooKeeperEnsemble {
 public:
  struct Server {
    // Binds its client, quorum and election ports here (an IPv4 address).
    std::string address;
    // Run the JVM inside this host's namespace (address is then usually
    // host->address()); nullptr: the test's own namespace. Must outlive
    // the ensemble.
    const Host* host = nullptr;
    int client_port = 2181;
    int quorum_port = 2888;
    int election_port = 3888;
  };

  struct Options {
    // Parent of the servers' directories; created if missing. Required.
    std::string work_dir;
    // One: standalone. Three (or any odd count): a quorum ensemble.
    std::vector<Server> servers;
    int tick_time_ms = 500;
    std::string java_heap = "192m";
  };

  // Ok when java and /usr/share/java/zookeeper.jar are present, else why
  // not (for GTEST_SKIP).
  static Status available();

  // Writes every server's configuration and starts them all; does not wait
  // for them to serve (wait_ready).
  static Result<std::unique_ptr<ZooKeeperEnsemble>> launch(Options options);

  ZooKeeperEnsemble(const ZooKeeperEnsemble&) = delete;
  ZooKeeperEnsemble& operator=(const ZooKeeperEnsemble&) = delete;
  // SIGKILLs and reaps every server.
  ~ZooKeeperEnsemble();

  size_t size() const { return servers_.size(); }
  // "a:p,b:p,c:p", for ZooKeeper clients and Cairn's --zk flags.
  std::string connect_string() const;
  // "address:client_port" of server i.
  std::string endpoint(size_t i) const;

  // Ok once every running server answers `srvr` with a Mode; the error
  // names the servers that did not, with their log tails.
  Status wait_ready(Duration timeout);
  // What server i's `srvr` reports: "leader", "follower", "standalone", or
  // "" when it is not running, unreachable (a partitioned Host: the test
  // asks from its own namespace) or not serving (no quorum). Waits at most
  // a second.
  std::string mode(size_t i) const;
  // The index of the server that reports "leader", if exactly one does.
  std::optional<size_t> leader() const;

  bool running(size_t i) const;
  // SIGKILL, and reap. An error when it is not running.
  Status kill(size_t i);
  // Starts server i again on its existing data directory.
  Status start(size_t i);
  // SIGKILLs every running server.
  void stop_all();

  const std::string& log_path(size_t i) const;
  std::string log_tail(size_t i, size_t lines = 30) const;

  // Sends a four-letter word ("srvr", "ruok", "mntr", ...) and returns the
  // reply.
  static Result<std::string> four_letter_word(const std::string& address, int port,
                                              const std::string& word,
                                              Duration timeout = Duration::seconds(2));

 private:
  explicit ZooKeeperEnsemble(Options options) : options_(std::move(options)) {}

  Options options_;
  std::vector<std::unique_ptr<DaemonProcess>> servers_;
};

}  // namespace cairn::e2e
