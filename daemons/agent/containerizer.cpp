// The mesos containerizer: processes in their own session, isolated by
// cgroups when asked (containerizer.hpp).
#include "daemons/agent/containerizer.hpp"

#include <signal.h>
#include <unistd.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "lib/process/launch.hpp"
#include "lib/cgroups/hierarchy.hpp"
#include "lib/logging/log.hpp"
#include "lib/mesos/task_status.hpp"

namespace cairn::agent {

std::set<std::string> split_list(const std::string& text) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    if (!item.empty()) out.insert(item);
    start = end + 1;
  }
  return out;
}

namespace {

// The process of a container, with the namespaces its isolators ask for.
process::ProcessSpec container_process(const ContainerLaunch& launch, const ContainerizerOptions& options) {
  process::ProcessSpec spec{launch.argv, launch.environment, launch.directory, launch.directory + "/stdout",
                            launch.directory + "/stderr"};
  if (options.isolation.count("filesystem/shared")) {
    std::error_code ec;
    std::filesystem::create_directories(launch.directory + "/tmp", ec);
    ::chmod((launch.directory + "/tmp").c_str(), 01777);
    spec.private_tmp = launch.directory + "/tmp";
  }
  spec.pid_namespace = options.isolation.count("namespaces/pid") > 0;
  return spec;
}

const std::set<std::string> kKnownIsolators{"posix/cpu", "posix/mem", "cgroups/cpu", "cgroups/mem",
                                            "filesystem/shared", "filesystem/posix", "namespaces/pid"};

// utime+stime of a process and its waited-for children, and its RSS.
struct ProcUsage {
  double user = 0, system = 0;
  uint64_t rss = 0;
};

ProcUsage read_proc(pid_t pid) {
  ProcUsage usage;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return usage;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return usage;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  std::vector<std::string> values;
  while (fields >> field) values.push_back(field);
  // Fields after the command: state(3) ... utime(14) stime(15) cutime(16) cstime(17) ... rss(24).
  auto at = [&](size_t n) -> double { return n - 3 < values.size() ? std::atof(values[n - 3].c_str()) : 0; };
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  usage.user = (at(14) + at(16)) / ticks;
  usage.system = (at(15) + at(17)) / ticks;
  usage.rss = static_cast<uint64_t>(at(24)) * static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE));
  return usage;
}

// posix/*: no isolation, only the session. Killing the session's process
// group reaches the executor and anything it did not move elsewhere.
class PosixContainerizer : public Containerizer {
 public:
  explicit PosixContainerizer(ContainerizerOptions options) : options_(std::move(options)) {}

  Result<pid_t> launch(const ContainerLaunch& launch) override {
    process::ProcessSpec spec = container_process(launch, options_);
    Result<pid_t> pid = process::launch_process(spec);
    if (pid.ok()) limits_[launch.container_id] = launch.resources;
    return pid;
  }

  Status recover(const std::string& container_id, pid_t, const Resources& resources) override {
    limits_[container_id] = resources;
    return ok_status();
  }

  Status update(const std::string& container_id, const Resources& resources) override {
    limits_[container_id] = resources;
    return ok_status();
  }

  void destroy(const std::string& container_id, pid_t pid) override {
    if (pid > 0) {
      // The executor leads its session's process group.
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
    }
    limits_.erase(container_id);
  }

  std::optional<Limitation> limitation(const std::string&) override { return std::nullopt; }

  Result<ContainerUsage> usage(const std::string& container_id, pid_t pid) const override {
    ContainerUsage usage;
    usage.timestamp = mesos::now_seconds();
    ProcUsage proc = read_proc(pid);
    usage.cpus_user_time_secs = proc.user;
    usage.cpus_system_time_secs = proc.system;
    usage.mem_rss_bytes = proc.rss;
    auto limits = limits_.find(container_id);
    if (limits != limits_.end()) {
      usage.cpus_limit = limits->second.cpus();
      usage.mem_limit_bytes = static_cast<uint64_t>(limits->second.mem() * 1024 * 1024);
    }
    usage.processes = 1;
    return usage;
  }

  std::vector<std::string> orphans(const std::set<std::string>&) const override { return {}; }

 private:
  ContainerizerOptions options_;
  std::map<std::string, Resources> limits_;
};

// cgroups/cpu and cgroups/mem: a cgroup per container ("<root>/<id>") with
// CPU shares (and a CFS quota when --cgroups_enable_cfs) and a memory
// limit; the freezer makes killing the whole tree reliable. The few file
// writes happen on the agent's loop: they take microseconds.
class CgroupsContainerizer : public Containerizer {
 public:
  CgroupsContainerizer(ContainerizerOptions options, cgroups::CgroupHierarchy hierarchy,
                       cgroups::Controllers controllers)
      : options_(std::move(options)), hierarchy_(std::move(hierarchy)), controllers_(std::move(controllers)) {}

  Result<pid_t> launch(const ContainerLaunch& launch) override {
    Result<cgroups::Cgroup> cgroup = hierarchy_.create(path(launch.container_id), controllers_);
    if (!cgroup.ok()) return Error("cannot create the container's cgroup: " + cgroup.error());
    Status limited = apply_limits(*cgroup, launch.resources);
    if (!limited.ok()) {
      (void)cgroup->destroy();
      return Error(limited.error());
    }
    process::ProcessSpec spec = container_process(launch, options_);
    // The executor joins its cgroup before it runs: nothing escapes accounting.
    Result<pid_t> pid = process::launch_process(spec, [&](pid_t child) { return cgroup->add_process(child); });
    if (!pid.ok()) {
      (void)cgroup->destroy();
      return pid;
    }
    containers_.emplace(launch.container_id, Entry{*cgroup, launch.resources});
    return pid;
  }

  Status recover(const std::string& container_id, pid_t, const Resources& resources) override {
    Result<cgroups::Cgroup> cgroup = hierarchy_.open(path(container_id));
    if (!cgroup.ok()) return Error("cannot reopen the cgroup of " + container_id + ": " + cgroup.error());
    containers_.emplace(container_id, Entry{*cgroup, resources});
    return ok_status();
  }

  Status update(const std::string& container_id, const Resources& resources) override {
    auto it = containers_.find(container_id);
    if (it == containers_.end()) return ok_status();
    it->second.resources = resources;
    return apply_limits(it->second.cgroup, resources);
  }

  void destroy(const std::string& container_id, pid_t pid) override {
    auto it = containers_.find(container_id);
    if (it != containers_.end()) {
      Status destroyed = it->second.cgroup.destroy();
      if (!destroyed.ok()) log::warning("Container {}: {}", container_id, destroyed.error());
      containers_.erase(it);
    }
    if (pid > 0) ::kill(pid, SIGKILL);
  }

  std::optional<Limitation> limitation(const std::string& container_id) override {
    auto it = containers_.find(container_id);
    if (it == containers_.end() || !it->second.cgroup.has(cgroups::Controller::memory)) return std::nullopt;
    Result<bool> oom = it->second.cgroup.oom_killed();
    if (!oom.ok() || !*oom) return std::nullopt;
    return Limitation{"REASON_CONTAINER_LIMITATION_MEMORY",
                      "Memory limit exceeded: the container's limit is " +
                          std::to_string(static_cast<long long>(memory_limit(it->second.resources) / 1048576)) +
                          " MB (tasks' mem plus the executor's 32 MB)"};
  }

  Result<ContainerUsage> usage(const std::string& container_id, pid_t) const override {
    auto it = containers_.find(container_id);
    if (it == containers_.end()) return Error("unknown container " + container_id);
    Result<cgroups::CgroupStats> stats = it->second.cgroup.stats();
    if (!stats.ok()) return Error(stats.error());
    ContainerUsage usage;
    usage.timestamp = mesos::now_seconds();
    usage.cpus_limit = it->second.resources.cpus();
    usage.mem_limit_bytes = memory_limit(it->second.resources);
    usage.processes = stats->processes;
    if (stats->cpu) {
      usage.cpus_user_time_secs = stats->cpu->user_secs;
      usage.cpus_system_time_secs = stats->cpu->system_secs;
      usage.cpus_nr_periods = stats->cpu->nr_periods;
      usage.cpus_nr_throttled = stats->cpu->nr_throttled;
      usage.cpus_throttled_time_secs = stats->cpu->throttled_time.secs();
    }
    if (stats->memory) {
      usage.mem_rss_bytes = stats->memory->rss.bytes();
      if (stats->memory->limit) usage.mem_limit_bytes = stats->memory->limit->bytes();
    }
    return usage;
  }

  std::vector<std::string> orphans(const std::set<std::string>& known) const override {
    std::vector<std::string> out;
    Result<std::vector<std::string>> listed = hierarchy_.list(options_.cgroups_root);
    if (!listed.ok()) return out;
    for (const std::string& id : *listed) {
      if (!known.count(id)) out.push_back(id);
    }
    return out;
  }

 private:
  struct Entry {
    cgroups::Cgroup cgroup;
    Resources resources;
  };

  std::string path(const std::string& container_id) const { return options_.cgroups_root + "/" + container_id; }

  uint64_t memory_limit(const Resources& resources) const {
    return static_cast<uint64_t>(resources.mem() * 1048576.0) + options_.executor_overhead_bytes;
  }

  Status apply_limits(cgroups::Cgroup& cgroup, const Resources& resources) {
    if (options_.isolation.count("cgroups/cpu") && cgroup.has(cgroups::Controller::cpu)) {
      // An executor with no cpus still needs some share to run at all.
      double cpus = std::max(resources.cpus(), 0.01);
      Status st = cgroup.set_cpu(cpus, options_.cgroups_enable_cfs);
      if (!st.ok()) return st;
    }
    if (options_.isolation.count("cgroups/mem") && cgroup.has(cgroups::Controller::memory)) {
      Status st = cgroup.set_memory(Bytes(memory_limit(resources)));
      if (!st.ok()) return st;
    }
    return ok_status();
  }

  ContainerizerOptions options_;
  cgroups::CgroupHierarchy hierarchy_;
  cgroups::Controllers controllers_;
  std::map<std::string, Entry> containers_;
};

}  // namespace

Result<std::unique_ptr<Containerizer>> make_mesos_containerizer(const ContainerizerOptions& options) {
  for (const std::string& name : options.isolation) {
    if (!kKnownIsolators.count(name)) {
      std::string known;
      for (const auto& k : kKnownIsolators) known += (known.empty() ? "" : ", ") + k;
      return Error("unknown isolator '" + name + "' (known: " + known + ")");
    }
  }
  if ((options.isolation.count("filesystem/shared") || options.isolation.count("namespaces/pid")) &&
      ::geteuid() != 0) {
    return Error("filesystem/shared and namespaces/pid need the agent to run as root");
  }
  bool cpu = options.isolation.count("cgroups/cpu") > 0, mem = options.isolation.count("cgroups/mem") > 0;
  if (!cpu && !mem) return std::unique_ptr<Containerizer>(std::make_unique<PosixContainerizer>(options));
  Result<cgroups::CgroupHierarchy> hierarchy = cgroups::CgroupHierarchy::discover();
  if (!hierarchy.ok()) return Error(hierarchy.error());
  cgroups::Controllers needed{cgroups::Controller::freezer};
  if (cpu) {
    needed.insert(cgroups::Controller::cpu);
    needed.insert(cgroups::Controller::cpuacct);
  }
  if (mem) needed.insert(cgroups::Controller::memory);
  // Under cgroup v2 CPU accounting and freezing are built in.
  cgroups::Controllers available = hierarchy->available();
  for (auto it = needed.begin(); it != needed.end();) {
    bool builtin = (*it == cgroups::Controller::cpuacct || *it == cgroups::Controller::freezer) &&
                   !available.count(*it) && available.count(cgroups::Controller::cpu) &&
                   hierarchy->mount(cgroups::Controller::cpu)->version == cgroups::CgroupVersion::v2;
    it = builtin ? needed.erase(it) : std::next(it);
  }
  Status usable = hierarchy->check(needed);
  if (!usable.ok()) return Error("cgroups isolation is not available here: " + usable.error());
  return std::unique_ptr<Containerizer>(
      std::make_unique<CgroupsContainerizer>(options, std::move(hierarchy).value(), needed));
}

}  // namespace cairn::agent
