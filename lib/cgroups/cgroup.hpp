// Cgroup: one container's cgroup, present in every controller it uses.
//
// A Cgroup is a value naming the directories of one cgroup path (such as
// "cairn/<container-id>") in each controller's hierarchy: four directories
// under cgroup v1, one under cgroup v2. CgroupHierarchy creates and opens
// them. The methods translate Mesos' isolation into control files: cpus into
// shares/weight and CFS quota, a memory amount into hard and soft limits,
// plus membership, statistics, OOM state, killing and removal. Every call is
// a few blocking file operations (kill_all and destroy may wait up to their
// timeout), so the agent calls them from its worker pool, not its event loop.
// Member definitions are split over cgroup.cpp (limits, membership),
// cgroup_kill.cpp (freezing, killing, removal) and cgroup_stats.cpp.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/cgroups/controller.hpp"
#include "lib/cgroups/stats.hpp"
#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn::cgroups {

class CgroupHierarchy;

class Cgroup {
 public:
  // Where this cgroup lives for one controller.
  struct Place {
    Controller controller = Controller::cpu;
    CgroupVersion version = CgroupVersion::v1;
    std::string directory;  // "/sys/fs/cgroup/memory/cairn/abc"
  };

  const std::string& path() const { return path_; }  // "cairn/abc"
  const std::vector<Place>& places() const { return places_; }
  // Distinct directories (controllers sharing a mount share one).
  const std::vector<std::string>& directories() const { return directories_; }
  Controllers controllers() const;
  bool has(Controller controller) const { return place(controller) != nullptr; }
  // nullptr when the cgroup does not use the controller.
  const Place* place(Controller controller) const;
  // Whether any of its directories still exists.
  bool exists() const;

  // cpus*1024 shares (v2: the equivalent weight); with hard_limit a CFS
  // quota of cpus per 100ms period, without it the quota is lifted (so an
  // update can turn a hard limit off). Needs the cpu controller.
  Status set_cpu(double cpus, bool hard_limit);

  // Hard limit and soft limit (v1 memory.limit_in_bytes and
  // memory.soft_limit_in_bytes, plus memory.memsw.limit_in_bytes when the
  // kernel accounts swap, so swapping cannot stretch the limit); v2
  // memory.max with memory.high lifted and memory.swap.max 0 when present.
  // Lowering below current usage fails with the kernel's EBUSY. Needs memory.
  Status set_memory(Bytes limit);

  // Moves a process (all its threads) into the cgroup in every controller.
  Status add_process(pid_t pid);

  // Processes directly in this cgroup (not in nested cgroups), sorted.
  Result<std::vector<pid_t>> processes() const;

  Result<CgroupStats> stats() const;

  // How many processes the OOM killer killed in this cgroup (0 on v1
  // kernels older than 4.13, which do not count), and whether it did.
  Result<uint64_t> oom_kills() const;
  Result<bool> oom_killed() const;

  // Stops every process of the cgroup and its nested cgroups from running
  // (v1 freezer.state, v2 cgroup.freeze); fails if the kernel has not
  // finished freezing within `timeout`. thaw() undoes it.
  Status freeze(Duration timeout = Duration::seconds(1));
  Status thaw();

  // Sends `signal` to every process in the cgroup and its nested cgroups.
  // Each round freezes the cgroup first so nothing can fork a process that
  // escapes the signal, then thaws it. For SIGKILL it repeats until no
  // process is left (v2: one write to cgroup.kill when the kernel has it)
  // and fails if some remain after `timeout`; other signals are sent once.
  // Never signals or freezes the calling process.
  Status kill_all(int signal, Duration timeout = Duration::seconds(10));

  // Kills whatever still runs, then removes the directories (nested ones
  // first) in every controller, retrying while the kernel reports them busy.
  // Succeeds when they are already gone.
  Status destroy(Duration timeout = Duration::seconds(10));

 private:
  friend class CgroupHierarchy;
  Cgroup(std::string path, std::vector<Place> places);

  // Every process in the cgroup and its nested cgroups, except this process.
  Result<std::vector<pid_t>> all_processes(bool* contains_self) const;

  std::string path_;
  std::vector<Place> places_;
  std::vector<std::string> directories_;
};

}  // namespace cairn::cgroups
