// Statistics and OOM state of a cgroup (see cgroup.hpp and stats.hpp).
#include <unistd.h>

#include "lib/cgroups/cgroup.hpp"
#include "lib/cgroups/files.hpp"

namespace cairn::cgroups {

namespace {

using Keyed = std::map<std::string, uint64_t>;

uint64_t get(const Keyed& keyed, const std::string& key) {
  auto it = keyed.find(key);
  return it == keyed.end() ? 0 : it->second;
}

// memory.stat's hierarchical total_* when the kernel has it (v1).
uint64_t get_total(const Keyed& keyed, const std::string& key) {
  auto it = keyed.find("total_" + key);
  return it != keyed.end() ? it->second : get(keyed, key);
}

// v1 reports "no limit" as the largest page-aligned counter value
// (9223372036854771712 on x86-64); v2 writes "max".
constexpr uint64_t kUnlimited = uint64_t{1} << 62;

Result<std::optional<Bytes>> read_limit(const std::string& path) {
  Result<std::string> text = files::read(path);
  if (!text.ok()) return Error(text.error());
  std::string_view trimmed = files::trim(*text);
  if (trimmed == "max") return std::optional<Bytes>();
  std::optional<uint64_t> value = files::parse_u64(trimmed);
  if (!value) {
    return Error("cannot parse '" + std::string(trimmed) + "' in " + path + " as a limit");
  }
  if (*value >= kUnlimited) return std::optional<Bytes>();
  return std::optional<Bytes>(Bytes(*value));
}

// v2 cpu.stat: usage in microseconds; throttling lines only with the cpu
// controller enabled.
void add_v2_cpu_stat(const Keyed& stat, CpuStats* cpu) {
  cpu->usage_ns = get(stat, "usage_usec") * 1000;
  cpu->user_secs = static_cast<double>(get(stat, "user_usec")) / 1e6;
  cpu->system_secs = static_cast<double>(get(stat, "system_usec")) / 1e6;
  cpu->nr_periods = get(stat, "nr_periods");
  cpu->nr_throttled = get(stat, "nr_throttled");
  cpu->throttled_time =
      Duration::nanoseconds(static_cast<int64_t>(get(stat, "throttled_usec") * 1000));
}

Result<CpuStats> read_cpu(const Cgroup::Place* cpu, const Cgroup::Place* acct) {
  CpuStats stats;
  const Cgroup::Place* v2 = nullptr;
  if (acct != nullptr && acct->version == CgroupVersion::v2) v2 = acct;
  if (cpu != nullptr && cpu->version == CgroupVersion::v2) v2 = cpu;
  if (v2 != nullptr) {
    Result<Keyed> stat = files::read_keyed(files::join(v2->directory, "cpu.stat"));
    if (!stat.ok()) return Error(stat.error());
    add_v2_cpu_stat(*stat, &stats);
  }
  if (acct != nullptr && acct->version == CgroupVersion::v1) {
    // cpuacct.stat counts USER_HZ ticks.
    Result<Keyed> stat = files::read_keyed(files::join(acct->directory, "cpuacct.stat"));
    if (!stat.ok()) return Error(stat.error());
    double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
    stats.user_secs = static_cast<double>(get(*stat, "user")) / hz;
    stats.system_secs = static_cast<double>(get(*stat, "system")) / hz;
    Result<uint64_t> usage = files::read_u64(files::join(acct->directory, "cpuacct.usage"));
    if (!usage.ok()) return Error(usage.error());
    stats.usage_ns = *usage;
  }
  if (cpu != nullptr && cpu->version == CgroupVersion::v1) {
    std::string path = files::join(cpu->directory, "cpu.stat");
    if (files::exists(path)) {  // absent without CFS bandwidth control
      Result<Keyed> stat = files::read_keyed(path);
      if (!stat.ok()) return Error(stat.error());
      stats.nr_periods = get(*stat, "nr_periods");
      stats.nr_throttled = get(*stat, "nr_throttled");
      stats.throttled_time =
          Duration::nanoseconds(static_cast<int64_t>(get(*stat, "throttled_time")));
    }
  }
  return stats;
}

Result<MemoryStats> read_memory(const Cgroup::Place& memory, uint64_t oom_kills) {
  MemoryStats stats;
  stats.oom_kills = oom_kills;
  const std::string& dir = memory.directory;
  bool v2 = memory.version == CgroupVersion::v2;
  Result<uint64_t> usage =
      files::read_u64(files::join(dir, v2 ? "memory.current" : "memory.usage_in_bytes"));
  if (!usage.ok()) return Error(usage.error());
  stats.usage = Bytes(*usage);
  Result<Keyed> stat = files::read_keyed(files::join(dir, "memory.stat"));
  if (!stat.ok()) return Error(stat.error());
  stats.rss = Bytes(v2 ? get(*stat, "anon") : get_total(*stat, "rss"));
  stats.cache = Bytes(v2 ? get(*stat, "file") : get_total(*stat, "cache"));
  Result<std::optional<Bytes>> limit =
      read_limit(files::join(dir, v2 ? "memory.max" : "memory.limit_in_bytes"));
  if (!limit.ok()) return Error(limit.error());
  stats.limit = *limit;
  return stats;
}

}  // namespace

Result<CgroupStats> Cgroup::stats() const {
  CgroupStats stats;
  Result<std::vector<pid_t>> pids = processes();
  if (!pids.ok()) return Error(pids.error());
  stats.processes = pids->size();

  const Place* cpu = place(Controller::cpu);
  const Place* acct = place(Controller::cpuacct);
  if (cpu != nullptr || acct != nullptr) {
    Result<CpuStats> cpu_stats = read_cpu(cpu, acct);
    if (!cpu_stats.ok()) return Error(cpu_stats.error());
    stats.cpu = *cpu_stats;
  }
  if (const Place* memory = place(Controller::memory)) {
    Result<uint64_t> kills = oom_kills();
    if (!kills.ok()) return Error(kills.error());
    Result<MemoryStats> memory_stats = read_memory(*memory, *kills);
    if (!memory_stats.ok()) return Error(memory_stats.error());
    stats.memory = *memory_stats;
  }
  return stats;
}

Result<uint64_t> Cgroup::oom_kills() const {
  const Place* memory = place(Controller::memory);
  if (memory == nullptr) return Error("cgroup " + path_ + " has no memory controller");
  bool v2 = memory->version == CgroupVersion::v2;
  Result<Keyed> keyed = files::read_keyed(
      files::join(memory->directory, v2 ? "memory.events" : "memory.oom_control"));
  if (!keyed.ok()) return Error(keyed.error());
  return get(*keyed, "oom_kill");
}

Result<bool> Cgroup::oom_killed() const {
  Result<uint64_t> kills = oom_kills();
  if (!kills.ok()) return Error(kills.error());
  return *kills > 0;
}

}  // namespace cairn::cgroups
