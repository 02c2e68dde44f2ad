// ContainerStats: one sample of GET /containers/{id}/stats?stream=false.
//
// The agent's /monitor/statistics reports these per executor with Mesos'
// names (cpus_user_time_secs, cpus_system_time_secs, cpus_nr_periods,
// cpus_nr_throttled, cpus_throttled_time_secs, mem_rss_bytes,
// mem_limit_bytes, net_rx_bytes ...). CPU times are cumulative since the
// container started; memory figures are the cgroup's at the sample. A
// container that is not running reports zeros.
#pragma once

#include <cstdint>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn::docker {

struct ContainerStats {
  Duration cpu_total;  // user + system, all cpus
  Duration cpu_user;
  Duration cpu_system;
  uint32_t online_cpus = 0;
  uint64_t cpu_periods = 0;            // CFS enforcement periods
  uint64_t cpu_throttled_periods = 0;  // periods in which the quota ran out
  Duration cpu_throttled;

  Bytes memory_usage;      // including page cache
  Bytes memory_max_usage;  // high-water mark (cgroup v1)
  Bytes memory_limit;      // the host's memory when unlimited
  Bytes memory_rss;        // anonymous memory (total_rss, or anon on cgroup v2)
  Bytes memory_cache;

  uint64_t pids = 0;

  // Summed over the container's interfaces; zero with host networking.
  uint64_t net_rx_bytes = 0;
  uint64_t net_rx_packets = 0;
  uint64_t net_rx_errors = 0;
  uint64_t net_rx_dropped = 0;
  uint64_t net_tx_bytes = 0;
  uint64_t net_tx_packets = 0;
  uint64_t net_tx_errors = 0;
  uint64_t net_tx_dropped = 0;
};

Result<ContainerStats> parse_container_stats(std::string_view json);

}  // namespace cairn::docker
