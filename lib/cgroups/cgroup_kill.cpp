// Freezing, killing and removing a cgroup (see cgroup.hpp).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "lib/cgroups/cgroup.hpp"
#include "lib/cgroups/files.hpp"

namespace cairn::cgroups {

namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(Duration timeout) {
  return Clock::now() + timeout.chrono();
}

void pause_briefly() {
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

// `dir` and every cgroup nested in it, deepest first (the order rmdir needs).
Result<std::vector<std::string>> subtree(const std::string& dir) {
  std::vector<std::string> out;
  if (!files::exists(dir)) return out;
  Result<std::vector<std::string>> children = files::subdirectories(dir);
  if (!children.ok()) return Error(children.error());
  for (const std::string& child : *children) {
    Result<std::vector<std::string>> nested = subtree(files::join(dir, child));
    if (!nested.ok()) return nested;
    out.insert(out.end(), nested->begin(), nested->end());
  }
  out.push_back(dir);
  return out;
}

std::string pid_list(const std::vector<pid_t>& pids) {
  std::string out;
  for (size_t i = 0; i < pids.size() && i < 10; ++i)
    out += (i ? " " : "") + std::to_string(pids[i]);
  if (pids.size() > 10) out += " ...";
  return out;
}

}  // namespace

Result<std::vector<pid_t>> Cgroup::all_processes(bool* contains_self) const {
  std::vector<pid_t> all;
  for (const std::string& dir : directories_) {
    Result<std::vector<std::string>> dirs = subtree(dir);
    if (!dirs.ok()) return Error(dirs.error());
    for (const std::string& d : *dirs) {
      std::string path = files::join(d, "cgroup.procs");
      Result<std::string> text = files::read(path);
      if (!text.ok()) {
        if (!files::exists(d)) continue;  // removed meanwhile
        return Error(text.error());
      }
      Result<std::vector<int>> pids = files::parse_pids(*text, path);
      if (!pids.ok()) return Error(pids.error());
      all.insert(all.end(), pids->begin(), pids->end());
    }
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  auto self = std::find(all.begin(), all.end(), ::getpid());
  *contains_self = self != all.end();
  if (*contains_self) all.erase(self);
  return all;
}

Status Cgroup::freeze(Duration timeout) {
  const Place* freezer = place(Controller::freezer);
  if (freezer == nullptr) return Error("cgroup " + path_ + " has no freezer controller");
  const std::string& dir = freezer->directory;
  Clock::time_point deadline = deadline_after(timeout);

  if (freezer->version == CgroupVersion::v2) {
    Status status = files::write(files::join(dir, "cgroup.freeze"), "1");
    if (!status.ok()) return status;
    std::string events = files::join(dir, "cgroup.events");
    for (;;) {
      Result<std::map<std::string, uint64_t>> keyed = files::read_keyed(events);
      if (!keyed.ok()) return Error(keyed.error());
      auto frozen = keyed->find("frozen");
      if (frozen != keyed->end() && frozen->second == 1) return ok_status();
      if (Clock::now() > deadline) {
        return Error("cannot freeze " + dir + ": " + events + " does not report frozen after " +
                     timeout.to_string());
      }
      pause_briefly();
    }
  }

  // v1 may stay FREEZING while a task cannot be stopped; writing FROZEN
  // again makes the kernel retry.
  std::string state_path = files::join(dir, "freezer.state");
  for (;;) {
    Status status = files::write(state_path, "FROZEN");
    if (!status.ok()) return status;
    Result<std::string> state = files::read(state_path);
    if (!state.ok()) return Error(state.error());
    if (files::trim(*state) == "FROZEN") return ok_status();
    if (Clock::now() > deadline) {
      return Error("cannot freeze " + dir + ": " + state_path + " is still " +
                   std::string(files::trim(*state)) + " after " + timeout.to_string());
    }
    pause_briefly();
  }
}

Status Cgroup::thaw() {
  const Place* freezer = place(Controller::freezer);
  if (freezer == nullptr) return Error("cgroup " + path_ + " has no freezer controller");
  if (freezer->version == CgroupVersion::v2) {
    return files::write(files::join(freezer->directory, "cgroup.freeze"), "0");
  }
  return files::write(files::join(freezer->directory, "freezer.state"), "THAWED");
}

Status Cgroup::kill_all(int signal, Duration timeout) {
  Clock::time_point deadline = deadline_after(timeout);

  // cgroup.kill (Linux 5.14) kills the whole subtree at once, racing forks
  // included, so the loop below only has to wait.
  if (signal == SIGKILL) {
    for (const Place& p : places_) {
      if (p.version != CgroupVersion::v2) continue;
      std::string kill_path = files::join(p.directory, "cgroup.kill");
      if (!files::exists(kill_path)) break;
      Status status = files::write(kill_path, "1");
      if (!status.ok()) return status;
      break;  // all v2 controllers share the one directory
    }
  }

  for (;;) {
    bool contains_self = false;
    Result<std::vector<pid_t>> pids = all_processes(&contains_self);
    if (!pids.ok()) return Error(pids.error());
    if (pids->empty()) return ok_status();
    if (Clock::now() > deadline) {
      return Error("cannot kill the processes of cgroup " + path_ + ": " +
                   std::to_string(pids->size()) + " still there after " + timeout.to_string() +
                   " (" + pid_list(*pids) + ")");
    }

    // Freezing first means no process can fork between listing and
    // signalling. Best effort: a cgroup that will not freeze (a task in
    // uninterruptible sleep) is still signalled. Never freeze ourselves.
    bool use_freezer = has(Controller::freezer) && !contains_self;
    if (use_freezer) {
      if (freeze(Duration::milliseconds(500)).ok()) {
        Result<std::vector<pid_t>> frozen = all_processes(&contains_self);
        if (frozen.ok()) pids = std::move(frozen);
      }
    }
    int failed_pid = 0, failed_errno = 0;
    for (pid_t pid : *pids) {
      if (::kill(pid, signal) != 0 && errno != ESRCH && failed_pid == 0) {
        failed_pid = pid;
        failed_errno = errno;
      }
    }
    if (use_freezer) {
      Status thawed = thaw();
      if (!thawed.ok()) return thawed;
    }
    if (failed_pid != 0) {
      return Error("cannot send signal " + std::to_string(signal) + " to process " +
                   std::to_string(failed_pid) + " of cgroup " + path_ + ": " +
                   files::errno_text(failed_errno));
    }
    if (signal != SIGKILL) return ok_status();
    pause_briefly();
  }
}

Status Cgroup::destroy(Duration timeout) {
  if (!exists()) return ok_status();
  Clock::time_point deadline = deadline_after(timeout);
  Status killed = kill_all(SIGKILL, timeout);
  if (!killed.ok()) return Error("cannot destroy cgroup " + path_ + ": " + killed.error());

  for (const std::string& dir : directories_) {
    Result<std::vector<std::string>> dirs = subtree(dir);
    if (!dirs.ok()) return Error(dirs.error());
    for (const std::string& d : *dirs) {
      // EBUSY lingers briefly after the last process has exited.
      while (::rmdir(d.c_str()) != 0) {
        int err = errno;
        if (err == ENOENT) break;
        if (err != EBUSY || Clock::now() > deadline) {
          return Error("cannot remove " + d + ": " + files::errno_text(err));
        }
        pause_briefly();
      }
    }
  }
  return ok_status();
}

}  // namespace cairn::cgroups
