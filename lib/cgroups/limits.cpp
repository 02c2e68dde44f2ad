#include "lib/cgroups/limits.hpp"

#include <algorithm>
#include <cmath>

namespace cairn::cgroups {

namespace {

// Rounds to nearest: 0.29 * 100000 must be 29000, not 28999.
// Clamped so that absurd amounts cannot overflow; the kernel refuses or
// clamps them itself.
uint64_t scaled(double cpus, uint64_t unit) {
  if (!(cpus > 0)) return 0;  // also NaN
  double value = std::clamp(cpus * static_cast<double>(unit), 0.0, 1e15);
  return static_cast<uint64_t>(std::llround(value));
}

}  // namespace

uint64_t cpu_shares(double cpus) {
  return std::max(scaled(cpus, kCpuSharesPerCpu), kMinCpuShares);
}

uint64_t cfs_quota_us(double cpus) {
  return std::max(scaled(cpus, kCfsPeriodUs), kMinCfsQuotaUs);
}

uint64_t cpu_weight_from_shares(uint64_t shares) {
  return std::clamp(shares * 100 / kCpuSharesPerCpu, kMinCpuWeight, kMaxCpuWeight);
}

}  // namespace cairn::cgroups
