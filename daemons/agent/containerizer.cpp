// The mesos containerizer: processes in their own session, isolated by
// cgroups when asked (containerizer.hpp).
#include "daemons/agent/containerizer.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "lib/process/launch.hpp"
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
    process::ProcessSpec spec{launch.argv, launch.environment, launch.directory, launch.directory + "/stdout",
                     launch.directory + "/stderr"};
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

}  // namespace

Result<std::unique_ptr<Containerizer>> make_mesos_containerizer(const ContainerizerOptions& options) {
  for (const std::string& name : options.isolation) {
    if (!kKnownIsolators.count(name)) {
      std::string known;
      for (const auto& k : kKnownIsolators) known += (known.empty() ? "" : ", ") + k;
      return Error("unknown isolator '" + name + "' (known: " + known + ")");
    }
  }
  return std::unique_ptr<Containerizer>(std::make_unique<PosixContainerizer>(options));
}

}  // namespace cairn::agent
