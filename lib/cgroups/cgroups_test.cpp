// The cgroups layer against the real kernel: limits, membership, throttling,
// OOM kills and their notification, killing process trees, removal and
// recovery. Needs root and the cpu, cpuacct, memory and freezer controllers;
// skips otherwise. Every cgroup lives under "cairn-test-<pid>", which a guard
// removes (killing what is left) even when a test fails.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>

#include "lib/cgroups/files.hpp"
#include "lib/cgroups/hierarchy.hpp"
#include "lib/cgroups/oom_notifier.hpp"

namespace cairn::cgroups {
namespace {

using namespace std::chrono_literals;

// Removes a test root in every hierarchy without the code under test:
// kills what is left, thaws, and rmdirs bottom-up.
class TestRootGuard {
 public:
  TestRootGuard(std::vector<std::string> mount_points, std::string root)
      : mount_points_(std::move(mount_points)), root_(std::move(root)) {
    cleanup();
  }
  ~TestRootGuard() { cleanup(); }

  void cleanup() {
    for (const std::string& mount : mount_points_)
      remove_tree(files::join(mount, root_));
  }

 private:
  static void remove_tree(const std::string& dir) {
    if (!files::exists(dir)) return;
    if (auto children = files::subdirectories(dir); children.ok()) {
      for (const std::string& child : *children)
        remove_tree(files::join(dir, child));
    }
    std::string freezer = files::join(dir, "freezer.state");
    if (files::exists(freezer)) (void)files::write(freezer, "THAWED");
    for (int attempt = 0; attempt < 200; ++attempt) {
      if (auto text = files::read(files::join(dir, "cgroup.procs")); text.ok()) {
        if (auto pids = files::parse_pids(*text, dir); pids.ok()) {
          for (int pid : *pids) {
            if (pid != ::getpid()) ::kill(pid, SIGKILL);
          }
        }
      }
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "test cgroup " << dir << " could not be removed";
  }

  std::vector<std::string> mount_points_;
  std::string root_;
};

// A forked child that waits until release() before running `body`, so the
// test can put it into a cgroup first. Killed and reaped on destruction.
class Child {
 public:
  explicit Child(const std::function<void()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char byte;
      if (::read(fds[0], &byte, 1) != 1) ::_exit(126);
      body();
      ::_exit(0);
    }
    ::close(fds[0]);
    go_ = fds[1];
  }
  ~Child() {
    if (go_ >= 0) ::close(go_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void release() {
    char byte = 1;
    EXPECT_EQ(::write(go_, &byte, 1), 1);
    ::close(go_);
    go_ = -1;
  }
  // The wait status, once the child has exited.
  int wait() {
    int status = 0;
    EXPECT_EQ(::waitpid(pid_, &status, 0), pid_);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  bool reaped_ = false;
};

std::string read_trimmed(const std::string& path) {
  Result<std::string> text = files::read(path);
  return text.ok() ? std::string(files::trim(*text)) : "<" + text.error() + ">";
}

class CgroupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "creating cgroups needs root";
    Result<CgroupHierarchy> discovered = CgroupHierarchy::discover();
    ASSERT_TRUE(discovered.ok()) << discovered.error();
    Status complete = discovered->check(all_controllers());
    if (!complete.ok()) GTEST_SKIP() << complete.error();
    hierarchy_.emplace(std::move(discovered).value());
    root_ = "cairn-test-" + std::to_string(::getpid());
    std::vector<std::string> mounts;
    for (const ControllerMount& m : hierarchy_->mounts())
      mounts.push_back(m.mount_point);
    guard_.emplace(mounts, root_);
  }

  std::string path(const std::string& name) const { return root_ + "/" + name; }

  Cgroup create(const std::string& name) {
    Result<Cgroup> cg = hierarchy_->create(path(name));
    EXPECT_TRUE(cg.ok()) << cg.error();
    return std::move(cg).value();
  }

  std::string file(const Cgroup& cg, Controller c, const std::string& name) const {
    return files::join(cg.place(c)->directory, name);
  }

  // Waits (bounded) until the cgroup holds `count` processes.
  static bool wait_for_processes(const Cgroup& cg, size_t count) {
    for (int i = 0; i < 500; ++i) {
      Result<std::vector<pid_t>> pids = cg.processes();
      if (pids.ok() && pids->size() == count) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  std::optional<CgroupHierarchy> hierarchy_;
  std::string root_;
  std::optional<TestRootGuard> guard_;
};

TEST_F(CgroupsTest, LimitsAreWrittenToTheControlFiles) {
  Cgroup cg = create("limits");
  ASSERT_EQ(cg.controllers(), all_controllers());
  for (const Cgroup::Place& p : cg.places())
    EXPECT_EQ(p.version, CgroupVersion::v1);

  ASSERT_TRUE(cg.set_cpu(1.5, true).ok());
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.shares")), "1536");
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.cfs_period_us")), "100000");
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.cfs_quota_us")), "150000");
  ASSERT_TRUE(cg.set_cpu(0.001, true).ok());
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.shares")), "2");
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.cfs_quota_us")), "1000");
  ASSERT_TRUE(cg.set_cpu(2, false).ok());
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.shares")), "2048");
  EXPECT_EQ(read_trimmed(file(cg, Controller::cpu, "cpu.cfs_quota_us")), "-1");
  EXPECT_FALSE(cg.set_cpu(0, true).ok());
  EXPECT_FALSE(cg.set_cpu(-1, true).ok());

  std::string memsw = file(cg, Controller::memory, "memory.memsw.limit_in_bytes");
  bool has_memsw = files::exists(memsw);
  // Down, up (memsw must be raised first) and down again.
  for (uint64_t mb : {64, 128, 32}) {
    std::string bytes = std::to_string(mb * Bytes::MB);
    Status status = cg.set_memory(Bytes(mb * Bytes::MB));
    ASSERT_TRUE(status.ok()) << status.error();
    EXPECT_EQ(read_trimmed(file(cg, Controller::memory, "memory.limit_in_bytes")), bytes);
    EXPECT_EQ(read_trimmed(file(cg, Controller::memory, "memory.soft_limit_in_bytes")), bytes);
    if (has_memsw) {
      EXPECT_EQ(read_trimmed(memsw), bytes);
    }
  }

  Result<CgroupStats> stats = cg.stats();
  ASSERT_TRUE(stats.ok()) << stats.error();
  ASSERT_TRUE(stats->memory.has_value());
  EXPECT_EQ(stats->memory->limit, Bytes(32 * Bytes::MB));
  EXPECT_EQ(stats->memory->oom_kills, 0u);
  ASSERT_TRUE(stats->cpu.has_value());
  EXPECT_EQ(stats->processes, 0u);
  EXPECT_FALSE(*cg.oom_killed());
}

TEST_F(CgroupsTest, ProcessesCanBeAddedAndRecoveredAfterARestart) {
  Cgroup cg = create("recover");
  Child sleeper([] {
    for (;;)
      ::pause();
  });
  ASSERT_TRUE(cg.add_process(sleeper.pid()).ok());
  sleeper.release();
  Result<std::vector<pid_t>> pids = cg.processes();
  ASSERT_TRUE(pids.ok()) << pids.error();
  EXPECT_EQ(*pids, std::vector<pid_t>{sleeper.pid()});
  // In every controller, not only the first.
  for (const std::string& dir : cg.directories()) {
    EXPECT_EQ(read_trimmed(files::join(dir, "cgroup.procs")), std::to_string(sleeper.pid())) << dir;
  }

  // An agent restart: a new hierarchy finds the cgroup by path.
  Result<CgroupHierarchy> restarted = CgroupHierarchy::discover();
  ASSERT_TRUE(restarted.ok()) << restarted.error();
  Result<std::vector<std::string>> names = restarted->list(root_);
  ASSERT_TRUE(names.ok()) << names.error();
  EXPECT_EQ(*names, std::vector<std::string>{"recover"});
  Result<Cgroup> reopened = restarted->open(path("recover"));
  ASSERT_TRUE(reopened.ok()) << reopened.error();
  EXPECT_EQ(reopened->controllers(), all_controllers());
  EXPECT_EQ(*reopened->processes(), std::vector<pid_t>{sleeper.pid()});
  EXPECT_TRUE(restarted->open(path("recover"), {Controller::memory, Controller::cpu}).ok());

  Status destroyed = reopened->destroy();
  ASSERT_TRUE(destroyed.ok()) << destroyed.error();
  int status = sleeper.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(cg.exists());
  EXPECT_FALSE(hierarchy_->exists(path("recover")));
  for (const std::string& dir : cg.directories())
    EXPECT_FALSE(files::exists(dir)) << dir;
  Result<Cgroup> gone = hierarchy_->open(path("recover"));
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().find("does not exist"), std::string::npos) << gone.error();
  EXPECT_TRUE(cg.destroy().ok());  // idempotent
  EXPECT_TRUE(restarted->list(root_)->empty());
}

TEST_F(CgroupsTest, CfsQuotaThrottlesABusyLoop) {
  Cgroup cg = create("throttle");
  ASSERT_TRUE(cg.set_cpu(0.2, true).ok());
  Child spinner([] {
    volatile uint64_t n = 0;
    for (;;)
      n = n + 1;
  });
  ASSERT_TRUE(cg.add_process(spinner.pid()).ok());
  auto start = std::chrono::steady_clock::now();
  spinner.release();
  std::this_thread::sleep_for(1500ms);
  Result<CgroupStats> stats = cg.stats();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(stats.ok()) << stats.error();
  ASSERT_TRUE(stats->cpu.has_value());
  const CpuStats& cpu = *stats->cpu;
  double usage = static_cast<double>(cpu.usage_ns) / 1e9;
  std::cout << "[ numbers  ] quota 0.2 cpus, wall " << wall << " s: usage " << usage
            << " cpu-s (user " << cpu.user_secs << ", system " << cpu.system_secs << "), "
            << cpu.nr_throttled << "/" << cpu.nr_periods << " periods throttled for "
            << cpu.throttled_time.secs() << " s\n";
  EXPECT_GT(cpu.nr_throttled, 0u);
  EXPECT_GT(cpu.nr_periods, 0u);
  EXPECT_GT(cpu.throttled_time, Duration());
  EXPECT_GT(usage, 0.0);
  EXPECT_LT(usage, 0.6 * wall);  // unthrottled it would be ~1.0 * wall
  EXPECT_EQ(stats->processes, 1u);
  ASSERT_TRUE(cg.destroy().ok());
}

TEST_F(CgroupsTest, MemoryLimitOomKillsAndNotifies) {
  Cgroup cg = create("oom");
  ASSERT_TRUE(cg.set_memory(Bytes(64 * Bytes::MB)).ok());
  Result<OomNotifier> notifier = OomNotifier::watch(cg);
  ASSERT_TRUE(notifier.ok()) << notifier.error();
  EXPECT_EQ(notifier->version(), CgroupVersion::v1);
  struct pollfd pfd = {notifier->fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);

  Child hog([] {
    size_t size = 200 * Bytes::MB;
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) ::_exit(3);
    std::memset(p, 1, size);  // touch every page
    ::_exit(0);               // reached only if the limit did not hold
  });
  ASSERT_TRUE(cg.add_process(hog.pid()).ok());
  hog.release();
  int status = hog.wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  Result<bool> killed = cg.oom_killed();
  ASSERT_TRUE(killed.ok()) << killed.error();
  EXPECT_TRUE(*killed);
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
  Result<uint64_t> events = notifier->read_events();
  ASSERT_TRUE(events.ok()) << events.error();
  EXPECT_GE(*events, 1u);
  Result<CgroupStats> stats = cg.stats();
  ASSERT_TRUE(stats.ok()) << stats.error();
  std::cout << "[ numbers  ] 64MB limit: " << stats->memory->oom_kills << " OOM kill(s), "
            << *events << " notification(s)\n";
  EXPECT_GE(stats->memory->oom_kills, 1u);
  EXPECT_EQ(stats->memory->limit, Bytes(64 * Bytes::MB));
  ASSERT_TRUE(cg.destroy().ok());
}

TEST_F(CgroupsTest, KillAllKillsAProcessTree) {
  Cgroup cg = create("tree");
  Child shell([] {
    ::execl("/bin/sh", "sh", "-c", "sleep 1000 & sleep 1000 & wait", static_cast<char*>(nullptr));
    ::_exit(127);
  });
  ASSERT_TRUE(cg.add_process(shell.pid()).ok());
  shell.release();
  ASSERT_TRUE(wait_for_processes(cg, 3)) << "the shell did not start its two children";

  Status status = cg.kill_all(SIGKILL);
  ASSERT_TRUE(status.ok()) << status.error();
  EXPECT_TRUE(cg.processes()->empty());
  int wstatus = shell.wait();
  EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
  // Thawed again: a new process runs normally.
  EXPECT_EQ(read_trimmed(file(cg, Controller::freezer, "freezer.state")), "THAWED");
  ASSERT_TRUE(cg.destroy().ok());
}

TEST_F(CgroupsTest, KillAllSendsOtherSignalsOnce) {
  Cgroup cg = create("term");
  Child sleeper([] {
    for (;;)
      ::pause();
  });
  ASSERT_TRUE(cg.add_process(sleeper.pid()).ok());
  sleeper.release();
  ASSERT_TRUE(cg.kill_all(SIGTERM).ok());
  int status = sleeper.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
}

TEST_F(CgroupsTest, FreezeStopsAndThawResumes) {
  Cgroup cg = create("freeze");
  Child sleeper([] {
    for (;;)
      ::pause();
  });
  ASSERT_TRUE(cg.add_process(sleeper.pid()).ok());
  sleeper.release();
  ASSERT_TRUE(cg.freeze().ok());
  EXPECT_EQ(read_trimmed(file(cg, Controller::freezer, "freezer.state")), "FROZEN");
  ASSERT_TRUE(cg.thaw().ok());
  EXPECT_EQ(read_trimmed(file(cg, Controller::freezer, "freezer.state")), "THAWED");
  // destroy() works on a frozen cgroup too.
  ASSERT_TRUE(cg.freeze().ok());
  Status destroyed = cg.destroy();
  ASSERT_TRUE(destroyed.ok()) << destroyed.error();
  int status = sleeper.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST_F(CgroupsTest, DestroyRemovesNestedCgroups) {
  Cgroup outer = create("outer");
  Cgroup inner = create("outer/inner");
  Child sleeper([] {
    for (;;)
      ::pause();
  });
  ASSERT_TRUE(inner.add_process(sleeper.pid()).ok());
  sleeper.release();
  EXPECT_TRUE(outer.processes()->empty());  // only its own processes

  Status destroyed = outer.destroy();
  ASSERT_TRUE(destroyed.ok()) << destroyed.error();
  int status = sleeper.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(inner.exists());
  EXPECT_FALSE(outer.exists());
}

TEST_F(CgroupsTest, ErrorsNameTheFileAndTheErrno) {
  Cgroup cg = create("errors");
  // A pid that existed but is gone now.
  pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(gone, nullptr, 0), gone);
  Status status = cg.add_process(gone);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "cannot write " + std::to_string(gone) + " to " +
                                file(cg, *cg.controllers().begin(), "cgroup.procs") +
                                ": No such process");

  // A limit below what the cgroup already uses: the kernel says EBUSY.
  Child holder([] {
    size_t size = 16 * Bytes::MB;
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) ::_exit(3);
    std::memset(p, 1, size);
    for (;;)
      ::pause();
  });
  ASSERT_TRUE(cg.add_process(holder.pid()).ok());
  holder.release();
  for (int i = 0; i < 500 && cg.stats()->memory->usage < Bytes(16 * Bytes::MB); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  // Anonymous pages with no swap to push them to cannot be reclaimed, so
  // v1 refuses the limit (v2 would OOM-kill instead).
  Status refused = cg.set_memory(Bytes(4096));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error(), "cannot write 4096 to " +
                                 file(cg, Controller::memory, "memory.limit_in_bytes") +
                                 ": Device or resource busy");
  EXPECT_FALSE(hierarchy_->create("../escape").ok());
  ASSERT_TRUE(cg.destroy().ok());
}

}  // namespace
}  // namespace cairn::cgroups
