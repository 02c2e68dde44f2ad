#include "lib/cgroups/cgroup.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "lib/cgroups/files.hpp"
#include "lib/cgroups/limits.hpp"

namespace cairn::cgroups {

Cgroup::Cgroup(std::string path, std::vector<Place> places)
    : path_(std::move(path)), places_(std::move(places)) {
  for (const Place& p : places_) {
    if (std::find(directories_.begin(), directories_.end(), p.directory) == directories_.end()) {
      directories_.push_back(p.directory);
    }
  }
}

Controllers Cgroup::controllers() const {
  Controllers out;
  for (const Place& p : places_)
    out.insert(p.controller);
  return out;
}

const Cgroup::Place* Cgroup::place(Controller controller) const {
  for (const Place& p : places_) {
    if (p.controller == controller) return &p;
  }
  return nullptr;
}

bool Cgroup::exists() const {
  return std::any_of(directories_.begin(), directories_.end(),
                     [](const std::string& dir) { return files::exists(dir); });
}

Status Cgroup::set_cpu(double cpus, bool hard_limit) {
  if (!std::isfinite(cpus) || cpus <= 0) {
    return Error("cannot set cpus of cgroup " + path_ + " to " + std::to_string(cpus) +
                 ": cpus must be a positive number");
  }
  const Place* cpu = place(Controller::cpu);
  if (cpu == nullptr) return Error("cgroup " + path_ + " has no cpu controller");
  const std::string& dir = cpu->directory;
  uint64_t shares = cpu_shares(cpus);
  std::string quota = std::to_string(cfs_quota_us(cpus));
  std::string period = std::to_string(kCfsPeriodUs);

  if (cpu->version == CgroupVersion::v2) {
    Status weight = files::write(files::join(dir, "cpu.weight"),
                                 std::to_string(cpu_weight_from_shares(shares)));
    if (!weight.ok()) return weight;
    return files::write(files::join(dir, "cpu.max"),
                        (hard_limit ? quota : std::string("max")) + " " + period);
  }

  Status status = files::write(files::join(dir, "cpu.shares"), std::to_string(shares));
  if (!status.ok()) return status;
  std::string quota_path = files::join(dir, "cpu.cfs_quota_us");
  if (hard_limit) {
    // Period before quota: the quota is interpreted per period.
    status = files::write(files::join(dir, "cpu.cfs_period_us"), period);
    if (!status.ok()) return status;
    return files::write(quota_path, quota);
  }
  // Lift a hard limit an earlier call may have set (kernels without CFS
  // bandwidth control have no quota file, and so no limit to lift).
  if (!files::exists(quota_path)) return ok_status();
  return files::write(quota_path, "-1");
}

Status Cgroup::set_memory(Bytes limit) {
  if (limit.bytes() == 0) {
    return Error("cannot set the memory limit of cgroup " + path_ + " to 0 bytes");
  }
  const Place* memory = place(Controller::memory);
  if (memory == nullptr) return Error("cgroup " + path_ + " has no memory controller");
  const std::string& dir = memory->directory;
  std::string value = std::to_string(limit.bytes());

  if (memory->version == CgroupVersion::v2) {
    Status status = files::write(files::join(dir, "memory.high"), "max");
    if (!status.ok()) return status;
    status = files::write(files::join(dir, "memory.max"), value);
    if (!status.ok()) return status;
    std::string swap = files::join(dir, "memory.swap.max");
    if (files::exists(swap)) return files::write(swap, "0");
    return ok_status();
  }

  std::string limit_path = files::join(dir, "memory.limit_in_bytes");
  std::string memsw_path = files::join(dir, "memory.memsw.limit_in_bytes");
  // memsw only exists with swap accounting; root may still be refused by
  // a read-only mount inside a container.
  bool memsw = ::access(memsw_path.c_str(), W_OK) == 0;
  Status status;
  if (memsw) {
    // The kernel insists on limit <= memsw limit at every moment, so raise
    // memsw first and lower it last.
    Result<uint64_t> current = files::read_u64(limit_path);
    if (!current.ok()) return Error(current.error());
    bool raising = limit.bytes() > *current;
    if (raising) status = files::write(memsw_path, value);
    if (status.ok()) status = files::write(limit_path, value);
    if (status.ok() && !raising) status = files::write(memsw_path, value);
  } else {
    status = files::write(limit_path, value);
  }
  if (!status.ok()) return status;
  return files::write(files::join(dir, "memory.soft_limit_in_bytes"), value);
}

Status Cgroup::add_process(pid_t pid) {
  for (const std::string& dir : directories_) {
    Status status = files::write(files::join(dir, "cgroup.procs"), std::to_string(pid));
    if (!status.ok()) return status;
  }
  return ok_status();
}

Result<std::vector<pid_t>> Cgroup::processes() const {
  std::vector<pid_t> all;
  for (const std::string& dir : directories_) {
    std::string path = files::join(dir, "cgroup.procs");
    Result<std::string> text = files::read(path);
    if (!text.ok()) return Error(text.error());
    Result<std::vector<int>> pids = files::parse_pids(*text, path);
    if (!pids.ok()) return Error(pids.error());
    all.insert(all.end(), pids->begin(), pids->end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

}  // namespace cairn::cgroups
