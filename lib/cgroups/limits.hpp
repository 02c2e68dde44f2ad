// Limits: how a Mesos "cpus" amount becomes cgroup CPU settings.
//
// Mesos' cgroups/cpu isolator gives a container cpus*1024 shares (at least
// 2, the kernel's minimum) and, with CFS hard limits enabled, a quota of
// cpus*100ms per 100ms period (at least 1ms, the kernel's minimum). cgroup v2
// has no shares but a weight from 1 to 10000 where 100 is one default share
// set; we convert the way the kernel and systemd do (weight = shares*100/1024,
// clamped), so 1 cpu maps to the default weight 100 and relative weights
// between containers stay what Mesos' shares would have made them.
#pragma once

#include <cstdint>

namespace cairn::cgroups {

inline constexpr uint64_t kCpuSharesPerCpu = 1024;
inline constexpr uint64_t kMinCpuShares = 2;
inline constexpr uint64_t kCfsPeriodUs = 100'000;
inline constexpr uint64_t kMinCfsQuotaUs = 1'000;
inline constexpr uint64_t kMinCpuWeight = 1;
inline constexpr uint64_t kMaxCpuWeight = 10'000;

// cpus must be finite and > 0 (Cgroup::set_cpu checks).
uint64_t cpu_shares(double cpus);
uint64_t cfs_quota_us(double cpus);
uint64_t cpu_weight_from_shares(uint64_t shares);

}  // namespace cairn::cgroups
