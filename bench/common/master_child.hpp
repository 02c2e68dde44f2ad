// A real cairn-master running as a child process of the benchmark: spawned
// on a free loopback port with a temporary work and log dir, watched (has it died?),
// measured (VmRSS, CPU time from /proc) and stopped (SIGTERM, then SIGKILL)
// with its directory removed. The child gets PR_SET_PDEATHSIG so that it
// does not outlive a benchmark that crashes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::master::testing {
class TestClient;
}

namespace cairn::bench {

struct MasterChildOptions {
  std::string binary;  // path of cairn-master
  std::string allocation_interval = "100ms";
  std::vector<std::string> extra_flags;  // passed as they are ("--flag=value")
};

class MasterChild {
 public:
  static Result<std::unique_ptr<MasterChild>> spawn(const MasterChildOptions& options);
  ~MasterChild();  // stop()
  MasterChild(const MasterChild&) = delete;
  MasterChild& operator=(const MasterChild&) = delete;

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Set once the child has exited ("exited with status 1", "killed by
  // signal 11"); reaps it.
  std::optional<std::string> exited();

  // Resident set size (VmRSS) in KiB, -1 if unavailable.
  long rss_kib() const;
  // Open file descriptors (connections, mostly), -1 if unavailable.
  long open_fds() const;
  // User + system CPU time consumed so far, in seconds (-1 if unavailable).
  double cpu_seconds() const;
  // The last lines the master wrote to stdout/stderr and to its log file
  // (--log_dir in the temporary directory; --quiet keeps stderr clean).
  std::string log_tail(size_t max_lines = 20) const;

  // Copies the master's log file out of the temporary directory (which
  // stop() removes); returns the copy's path, empty if there was nothing.
  std::string save_log() const;

  // SIGTERM, up to `grace_seconds` to exit, then SIGKILL; removes the
  // temporary directory. Idempotent.
  void stop(int grace_seconds = 15);

 private:
  MasterChild() = default;

  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string root_;  // temporary dir: work/ and master.log
  std::optional<std::string> exit_description_;
};

// The master's GET /metrics/snapshot through `http`, blocking (nullopt:
// no JSON answer).
std::optional<nlohmann::json> metrics_snapshot(master::testing::TestClient& http,
                                               const MasterChild& master);
// One metric of a snapshot; -1 when it is missing, as the figures print it.
double metric_value(const nlohmann::json& snapshot, const char* name);

}  // namespace cairn::bench
