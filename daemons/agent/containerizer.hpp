// Containerizer: starts an executor in an isolated container and tears it
// down again (Mesos' "mesos" containerizer).
//
// launch() forks the executor in its own session with stdout/stderr in the
// sandbox and, before it execs, places it in the container's isolation (a
// cgroup per container with CPU shares/quota and a memory limit when
// --isolation has cgroups/cpu or cgroups/mem; plain processes with posix/*).
// Containers outlive the agent process: recover() re-attaches to one after
// an agent restart. limitation() reports why the isolation ended a
// container (OOM), which the agent turns into REASON_CONTAINER_LIMITATION_*.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/resources/resources.hpp"
#include "lib/units/duration.hpp"

namespace cairn::agent {

struct ContainerLaunch {
  std::string container_id;
  std::string directory;  // the sandbox: working directory, stdout, stderr
  std::vector<std::string> argv;  // argv[0]: absolute path of the program
  std::map<std::string, std::string> environment;  // the whole environment
  Resources resources;  // limits (cpus, mem)
};

struct ContainerUsage {
  double timestamp = 0;
  double cpus_user_time_secs = 0;
  double cpus_system_time_secs = 0;
  double cpus_limit = 0;
  uint64_t cpus_nr_periods = 0;
  uint64_t cpus_nr_throttled = 0;
  double cpus_throttled_time_secs = 0;
  uint64_t mem_rss_bytes = 0;
  uint64_t mem_limit_bytes = 0;
  uint64_t processes = 0;
};

struct Limitation {
  std::string reason;   // REASON_CONTAINER_LIMITATION_MEMORY
  std::string message;  // "Memory limit exceeded: ..."
};

struct ContainerizerOptions {
  std::set<std::string> isolation;  // "cgroups/cpu", "cgroups/mem", "posix/cpu", ...
  std::string cgroups_root = "cairn";
  bool cgroups_enable_cfs = true;
  // Memory the executor itself may use on top of its tasks' limit.
  uint64_t executor_overhead_bytes = 32ull * 1024 * 1024;
};

class Containerizer {
 public:
  virtual ~Containerizer() = default;
  virtual Result<pid_t> launch(const ContainerLaunch& launch) = 0;
  virtual Status recover(const std::string& container_id, pid_t pid, const Resources& resources) = 0;
  // The limits follow the resources (tasks added to a running executor).
  virtual Status update(const std::string& container_id, const Resources& resources) = 0;
  // SIGKILL to every process of the container, then frees its isolation.
  virtual void destroy(const std::string& container_id, pid_t pid) = 0;
  virtual std::optional<Limitation> limitation(const std::string& container_id) = 0;
  virtual Result<ContainerUsage> usage(const std::string& container_id, pid_t pid) const = 0;
  // Containers found in the isolation that the agent does not know about
  // (left behind by a crash), for cleanup.
  virtual std::vector<std::string> orphans(const std::set<std::string>& known) const = 0;
};

// Validates the isolation names; cgroups/* fail when the kernel lacks the
// controller, with a message saying which.
Result<std::unique_ptr<Containerizer>> make_mesos_containerizer(const ContainerizerOptions& options);

// "a,b" → {a, b}
std::set<std::string> split_list(const std::string& text);

}  // namespace cairn::agent
