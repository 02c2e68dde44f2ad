#include "daemons/agent/resource_detection.hpp"

#include <sched.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace cairn::agent {

MachineFacts detect_machine(const std::string& work_dir) {
  MachineFacts facts;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) facts.cpus = CPU_COUNT(&set);
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) facts.mem_mb = static_cast<double>(pages) * page / (1024.0 * 1024.0);
  struct statvfs fs {};
  if (statvfs(work_dir.c_str(), &fs) == 0) {
    facts.disk_mb = static_cast<double>(fs.f_blocks) * fs.f_frsize / (1024.0 * 1024.0);
  }
  return facts;
}

Resources default_resources(const MachineFacts& facts) {
  // Mesos' reserve for the system: 1GB of memory (half under 2GB) and 5GB
  // of disk (half under 10GB).
  double mem = facts.mem_mb >= 2048 ? facts.mem_mb - 1024 : facts.mem_mb / 2;
  double disk = facts.disk_mb >= 10240 ? facts.disk_mb - 5120 : facts.disk_mb / 2;
  std::string text = "cpus:" + std::to_string(facts.cpus) +
                     ";mem:" + std::to_string(std::floor(mem)) +
                     ";disk:" + std::to_string(std::floor(disk)) + ";ports:[31000-32000]";
  Result<Resources> parsed = Resources::parse(text);
  return parsed.ok() ? *parsed : Resources();
}

Result<Resources> agent_resources(const std::string& flag, const MachineFacts& facts,
                                  const std::string& default_role) {
  Result<Resources> given = Resources::parse(flag, default_role);
  if (!given.ok()) return Error("--resources: " + given.error());
  std::set<std::string> names;
  for (const Resource& r : *given) names.insert(r.name);
  Resources out = *given;
  for (const Resource& r : default_resources(facts)) {
    if (names.count(r.name)) continue;
    Resource detected = r;
    if (default_role != "*") detected.reservation = Reservation{ReservationType::kStatic, default_role};
    out += detected;
  }
  return out;
}

}  // namespace cairn::agent
