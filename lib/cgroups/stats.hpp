// CgroupStats: what a container has used, read from its cgroup.
//
// The agent's /monitor/statistics and the Mesos ResourceStatistics it
// reports come from these numbers. Each version keeps them in different
// files and units; Cgroup::stats() normalises them: cgroup v1 reads
// cpuacct.stat (USER_HZ ticks), cpuacct.usage (ns), cpu.stat (throttling,
// ns), memory.usage_in_bytes, memory.stat (total_rss/rss, total_cache/cache),
// memory.limit_in_bytes and memory.oom_control (oom_kill, kernel >= 4.13);
// cgroup v2 reads cpu.stat (usec), memory.current, memory.stat (anon, file),
// memory.max and memory.events (oom_kill).
#pragma once

#include <cstdint>
#include <optional>

#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn::cgroups {

struct CpuStats {
  double user_secs = 0;    // CPU time in user mode
  double system_secs = 0;  // CPU time in the kernel
  uint64_t usage_ns = 0;   // total CPU time
  // CFS bandwidth control: periods with runnable tasks, periods in which the
  // quota ran out, and the total time tasks were held back.
  uint64_t nr_periods = 0;
  uint64_t nr_throttled = 0;
  Duration throttled_time;
};

struct MemoryStats {
  Bytes usage;                 // everything charged: anon, page cache, kernel
  Bytes rss;                   // anonymous memory
  Bytes cache;                 // page cache
  std::optional<Bytes> limit;  // none when unlimited
  uint64_t oom_kills = 0;      // processes the OOM killer killed in this cgroup
};

struct CgroupStats {
  std::optional<CpuStats> cpu;        // when the cgroup has cpu or cpuacct
  std::optional<MemoryStats> memory;  // when the cgroup has memory
  uint64_t processes = 0;
};

}  // namespace cairn::cgroups
