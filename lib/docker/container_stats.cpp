#include "lib/docker/container_stats.hpp"

#include <initializer_list>

#include "lib/docker/json_read.hpp"

namespace cairn::docker {

using detail::Json;

namespace {

Duration nanos(uint64_t n) {
  return Duration::nanoseconds(static_cast<int64_t>(n));
}

}  // namespace

Result<ContainerStats> parse_container_stats(std::string_view text) {
  auto parsed = detail::parse_json_object(text, "the engine's container statistics");
  if (!parsed.ok()) return Error(parsed.error());
  const Json& json = *parsed;
  ContainerStats stats;
  if (const Json* cpu = detail::object_field(json, "cpu_stats")) {
    if (const Json* usage = detail::object_field(*cpu, "cpu_usage")) {
      stats.cpu_total = nanos(detail::uint_field(*usage, "total_usage"));
      stats.cpu_user = nanos(detail::uint_field(*usage, "usage_in_usermode"));
      stats.cpu_system = nanos(detail::uint_field(*usage, "usage_in_kernelmode"));
    }
    stats.online_cpus = static_cast<uint32_t>(detail::uint_field(*cpu, "online_cpus"));
    if (const Json* throttling = detail::object_field(*cpu, "throttling_data")) {
      stats.cpu_periods = detail::uint_field(*throttling, "periods");
      stats.cpu_throttled_periods = detail::uint_field(*throttling, "throttled_periods");
      stats.cpu_throttled = nanos(detail::uint_field(*throttling, "throttled_time"));
    }
  }
  if (const Json* memory = detail::object_field(json, "memory_stats")) {
    stats.memory_usage = Bytes(detail::uint_field(*memory, "usage"));
    stats.memory_max_usage = Bytes(detail::uint_field(*memory, "max_usage"));
    stats.memory_limit = Bytes(detail::uint_field(*memory, "limit"));
    if (const Json* details = detail::object_field(*memory, "stats")) {
      // cgroup v1 has total_rss/total_cache (hierarchical); v2 has anon/file.
      auto first_of = [&](std::initializer_list<std::string_view> keys) -> uint64_t {
        for (auto key : keys) {
          if (details->contains(key)) return detail::uint_field(*details, key);
        }
        return 0;
      };
      stats.memory_rss = Bytes(first_of({"total_rss", "rss", "anon"}));
      stats.memory_cache = Bytes(first_of({"total_cache", "cache", "file"}));
    }
  }
  if (const Json* pids = detail::object_field(json, "pids_stats")) {
    stats.pids = detail::uint_field(*pids, "current");
  }
  if (const Json* networks = detail::object_field(json, "networks")) {
    for (const auto& [name, net] : networks->items()) {
      stats.net_rx_bytes += detail::uint_field(net, "rx_bytes");
      stats.net_rx_packets += detail::uint_field(net, "rx_packets");
      stats.net_rx_errors += detail::uint_field(net, "rx_errors");
      stats.net_rx_dropped += detail::uint_field(net, "rx_dropped");
      stats.net_tx_bytes += detail::uint_field(net, "tx_bytes");
      stats.net_tx_packets += detail::uint_field(net, "tx_packets");
      stats.net_tx_errors += detail::uint_field(net, "tx_errors");
      stats.net_tx_dropped += detail::uint_field(net, "tx_dropped");
    }
  }
  return stats;
}

}  // namespace cairn::docker
