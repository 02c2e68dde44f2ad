// TestEngine: a private Docker engine for tests that need a real dockerd.
//
// start() runs dockerd with its data root, exec root and unix socket in a
// fresh /tmp/cairn-docker-test-XXXXXX directory, in a network namespace of
// its own when one can be created (default networking: a docker0 bridge and
// iptables NAT that touch only that namespace, so bridge networking and port
// publishing work) and otherwise in the host's namespace with --bridge=none
// and no iptables (CAIRN_DOCKER_TEST_NO_NETNS=1 forces that). No registry is
// needed: it imports kTestImage, a ~3 MB root file system built from host
// binaries (sh, sleep, head, tr, wc, cat, id, /etc/passwd with root and
// nobody, and /bin/responder PORT MESSAGE, which answers every TCP
// connection with MESSAGE and a newline), cached under <source>/.cache/.
// The engine belongs to the test run alone, so stop() force-removes every
// container it holds, whichever suite created it (the agent's "mesos-*"
// containers included), then stops dockerd (SIGTERM, SIGKILL after 30 s)
// and removes the namespace and the directory; leftovers of earlier runs
// that died are removed by the next start(). Should the test process die,
// dockerd gets SIGTERM from the kernel (PR_SET_PDEATHSIG, which fires when
// the thread that called start() ends: call it from the main thread, as
// gtest's SetUpTestSuite() does). Needs root and an installed dockerd,
// otherwise start() sets skip_reason(). Not thread-safe: start() and stop()
// from one thread; client() may be used from any thread between them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "lib/docker/docker_client.hpp"

namespace cairn::docker::testing {

inline constexpr char kTestImage[] = "cairn/test-base:latest";

class TestEngine {
 public:
  TestEngine();
  ~TestEngine();  // stop()
  TestEngine(const TestEngine&) = delete;
  TestEngine& operator=(const TestEngine&) = delete;

  // Starts dockerd and imports kTestImage (about 1-3 s); never throws.
  // After it, exactly one of: skip_reason() non-empty (not root, dockerd
  // not installed), failure() non-empty (it should run here but did not
  // start; the message carries dockerd's log), or ready(). Progress goes to
  // stderr. A no-op while started; after stop() it starts afresh.
  void start();
  // Removes every container of the engine, stops dockerd and cleans up.
  // Idempotent; also called by the destructor.
  void stop();

  bool ready() const { return ready_; }
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& failure() const { return failure_; }

  // The unix socket of the private dockerd.
  const std::string& socket_path() const { return socket_; }
  // The network namespace dockerd and its containers' "host" network live
  // in (a name under /run/netns); empty when dockerd runs in the host's.
  const std::string& netns() const { return netns_; }
  // Whether bridge networking (and port publishing) is available.
  bool bridge() const { return bridge_; }
  // A client of the private dockerd (usable once ready()).
  const DockerClient& client() const { return client_; }

 private:
  Status start_dockerd(bool with_bridge);
  void stop_dockerd();

  std::string skip_reason_;
  std::string failure_;
  bool ready_ = false;
  bool started_ = false;
  std::string dir_;
  std::string socket_;
  std::string netns_;
  bool bridge_ = false;
  std::string dockerd_;
  pid_t pid_ = -1;
  DockerClient client_;
};

// GET http://127.0.0.1:port/ from inside `netns` (the host's namespace when
// empty), polled until the answer contains `expected` or about 10 s pass.
// Returns the last answer (everything the server sent before closing, or
// what arrived within 2 s), or the last connection error.
std::string fetch_until(const std::string& netns, uint16_t port, const std::string& expected);

}  // namespace cairn::docker::testing
