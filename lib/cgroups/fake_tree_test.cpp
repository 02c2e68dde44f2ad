// cgroup v2 paths against a fake unified tree in a temporary directory.
//
// The test machines run cgroup v1, so the v2 code (cpu.weight, cpu.max,
// memory.max, subtree_control, cpu.stat/memory.events parsing, cgroup.kill,
// cgroup.freeze, the inotify OOM watch) is exercised here on plain files
// laid out as the kernel lays them out. What only a real v2 kernel can show
// (that it throttles, kills, freezes) is not covered.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lib/cgroups/files.hpp"
#include "lib/cgroups/hierarchy.hpp"
#include "lib/cgroups/oom_notifier.hpp"

namespace cairn::cgroups {
namespace {

namespace fsys = std::filesystem;

void put(const fsys::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string get(const fsys::path& path) {
  Result<std::string> text = files::read(path.string());
  return text.ok() ? std::string(files::trim(*text)) : "<" + text.error() + ">";
}

class FakeV2Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cairn-cgroups-fake-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    unified_ = dir_ / "unified";
    fsys::create_directories(unified_ / "cairn");
    put(unified_ / "cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
    put(unified_ / "cgroup.subtree_control", "");
    // The agent's root already delegates cpu and memory.
    put(unified_ / "cairn" / "cgroup.subtree_control", "cpu memory\n");
    put(dir_ / "mountinfo",
        "25 1 0:22 / " + unified_.string() + " rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  }
  void TearDown() override {
    std::error_code ignored;
    fsys::remove_all(dir_, ignored);
  }

  // The files the kernel would show in a new cgroup.
  void populate(const fsys::path& cg) {
    for (const char* name : {"cpu.weight", "cpu.max", "memory.max", "memory.high",
                             "memory.swap.max", "cgroup.procs", "cgroup.freeze"}) {
      put(cg / name, "");
    }
    put(cg / "cgroup.events", "populated 0\nfrozen 1\n");
    put(cg / "cpu.stat",
        "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
        "nr_periods 10\nnr_throttled 4\nthrottled_usec 1500\n");
    put(cg / "memory.current", "1000\n");
    put(cg / "memory.stat", "anon 600\nfile 300\nkernel 100\n");
    put(cg / "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
  }

  CgroupHierarchy hierarchy() {
    Result<CgroupHierarchy> h = CgroupHierarchy::discover((dir_ / "mountinfo").string());
    EXPECT_TRUE(h.ok());
    return std::move(h).value();
  }

  fsys::path dir_, unified_;
};

TEST_F(FakeV2Tree, DiscoversEveryControllerInTheUnifiedMount) {
  CgroupHierarchy h = hierarchy();
  EXPECT_EQ(h.available(), all_controllers());
  for (const ControllerMount& m : h.mounts()) {
    EXPECT_EQ(m.version, CgroupVersion::v2);
    EXPECT_EQ(m.mount_point, unified_.string());
  }
}

TEST_F(FakeV2Tree, MemoryMissingFromCgroupControllersIsUnavailable) {
  put(unified_ / "cgroup.controllers", "cpu pids\n");
  CgroupHierarchy h = hierarchy();
  EXPECT_EQ(h.available(),
            (Controllers{Controller::cpu, Controller::cpuacct, Controller::freezer}));
  EXPECT_FALSE(h.check({Controller::memory}).ok());
}

TEST_F(FakeV2Tree, CreateEnablesControllersAndWritesV2Limits) {
  CgroupHierarchy h = hierarchy();
  Result<Cgroup> cg = h.create("cairn/c1");
  ASSERT_TRUE(cg.ok()) << cg.error();
  EXPECT_EQ(cg->directories(), (std::vector<std::string>{(unified_ / "cairn/c1").string()}));
  // The root gets both controllers for its children; cairn had them already.
  EXPECT_EQ(get(unified_ / "cgroup.subtree_control"), "+cpu +memory");
  EXPECT_EQ(get(unified_ / "cairn" / "cgroup.subtree_control"), "cpu memory");

  fsys::path c1 = unified_ / "cairn/c1";
  populate(c1);
  ASSERT_TRUE(cg->set_cpu(1.5, true).ok());
  EXPECT_EQ(get(c1 / "cpu.weight"), "150");
  EXPECT_EQ(get(c1 / "cpu.max"), "150000 100000");
  ASSERT_TRUE(cg->set_cpu(0.5, false).ok());
  EXPECT_EQ(get(c1 / "cpu.weight"), "50");
  EXPECT_EQ(get(c1 / "cpu.max"), "max 100000");

  ASSERT_TRUE(cg->set_memory(Bytes(64 * Bytes::MB)).ok());
  EXPECT_EQ(get(c1 / "memory.max"), "67108864");
  EXPECT_EQ(get(c1 / "memory.high"), "max");
  EXPECT_EQ(get(c1 / "memory.swap.max"), "0");

  ASSERT_TRUE(cg->add_process(4242).ok());
  EXPECT_EQ(get(c1 / "cgroup.procs"), "4242");  // one write: all controllers share the directory
}

TEST_F(FakeV2Tree, MissingControlFileIsAnErrorNamingIt) {
  CgroupHierarchy h = hierarchy();
  Result<Cgroup> cg = h.create("cairn/c2");
  ASSERT_TRUE(cg.ok()) << cg.error();
  Status status = cg->set_cpu(1, true);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error(), "cannot write 100 to " + (unified_ / "cairn/c2/cpu.weight").string() +
                                ": No such file or directory");
}

TEST_F(FakeV2Tree, ReadsV2Statistics) {
  CgroupHierarchy h = hierarchy();
  Result<Cgroup> cg = h.create("cairn/c1");
  ASSERT_TRUE(cg.ok()) << cg.error();
  fsys::path c1 = unified_ / "cairn/c1";
  populate(c1);
  put(c1 / "cgroup.procs", "17\n23\n");
  put(c1 / "memory.max", "max\n");
  put(c1 / "memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");

  Result<CgroupStats> stats = cg->stats();
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats->processes, 2u);
  ASSERT_TRUE(stats->cpu.has_value());
  EXPECT_EQ(stats->cpu->usage_ns, 2'500'000'000u);
  EXPECT_DOUBLE_EQ(stats->cpu->user_secs, 2.0);
  EXPECT_DOUBLE_EQ(stats->cpu->system_secs, 0.5);
  EXPECT_EQ(stats->cpu->nr_periods, 10u);
  EXPECT_EQ(stats->cpu->nr_throttled, 4u);
  EXPECT_EQ(stats->cpu->throttled_time, Duration::nanoseconds(1'500'000));
  ASSERT_TRUE(stats->memory.has_value());
  EXPECT_EQ(stats->memory->usage, Bytes(1000));
  EXPECT_EQ(stats->memory->rss, Bytes(600));
  EXPECT_EQ(stats->memory->cache, Bytes(300));
  EXPECT_FALSE(stats->memory->limit.has_value());
  EXPECT_EQ(stats->memory->oom_kills, 1u);
  EXPECT_TRUE(*cg->oom_killed());

  put(c1 / "memory.max", "67108864\n");
  EXPECT_EQ(cg->stats()->memory->limit, Bytes(64 * Bytes::MB));
}

TEST_F(FakeV2Tree, OomNotifierWatchesMemoryEvents) {
  CgroupHierarchy h = hierarchy();
  Result<Cgroup> cg = h.create("cairn/c1");
  ASSERT_TRUE(cg.ok()) << cg.error();
  fsys::path c1 = unified_ / "cairn/c1";
  populate(c1);

  Result<OomNotifier> notifier = OomNotifier::watch(*cg);
  ASSERT_TRUE(notifier.ok()) << notifier.error();
  EXPECT_EQ(notifier->version(), CgroupVersion::v2);
  struct pollfd pfd = {notifier->fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);

  // What the kernel does on an OOM kill: memory.events changes.
  put(c1 / "memory.events", "low 0\nhigh 0\nmax 5\noom 2\noom_kill 2\n");
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
  Result<uint64_t> events = notifier->read_events();
  ASSERT_TRUE(events.ok()) << events.error();
  EXPECT_EQ(*events, 2u);
  EXPECT_EQ(::poll(&pfd, 1, 0), 0);  // drained

  // A change of another counter wakes the caller but counts no OOM.
  put(c1 / "memory.events", "low 0\nhigh 0\nmax 6\noom 2\noom_kill 2\n");
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
  EXPECT_EQ(*notifier->read_events(), 0u);
}

TEST_F(FakeV2Tree, KillAllUsesCgroupKill) {
  CgroupHierarchy h = hierarchy();
  Result<Cgroup> cg = h.create("cairn/c1");
  ASSERT_TRUE(cg.ok()) << cg.error();
  fsys::path c1 = unified_ / "cairn/c1";
  populate(c1);
  put(c1 / "cgroup.kill", "");
  ASSERT_TRUE(cg->kill_all(SIGKILL).ok());
  EXPECT_EQ(get(c1 / "cgroup.kill"), "1");
}

TEST_F(FakeV2Tree, KillAllWithOtherSignalsFreezesSignalsAndThaws) {
  CgroupHierarchy h = hierarchy();
  Result<Cgroup> cg = h.create("cairn/c1");
  ASSERT_TRUE(cg.ok()) << cg.error();
  fsys::path c1 = unified_ / "cairn/c1";
  populate(c1);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    for (;;)
      ::pause();
  }
  put(c1 / "cgroup.procs", std::to_string(child) + "\n");
  Status status = cg->kill_all(SIGTERM);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(status.ok()) << status.error();
  EXPECT_TRUE(WIFSIGNALED(wstatus));
  EXPECT_EQ(WTERMSIG(wstatus), SIGTERM);
  EXPECT_EQ(get(c1 / "cgroup.freeze"), "0");  // thawed again
}

TEST_F(FakeV2Tree, OpenAndListFindExistingCgroups) {
  CgroupHierarchy h = hierarchy();
  ASSERT_TRUE(h.create("cairn/a").ok());
  ASSERT_TRUE(h.create("cairn/b").ok());
  Result<std::vector<std::string>> names = h.list("cairn");
  ASSERT_TRUE(names.ok()) << names.error();
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b"}));
  Result<Cgroup> a = h.open("cairn/a");
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->controllers(), all_controllers());
  EXPECT_FALSE(h.open("cairn/zzz").ok());
  EXPECT_TRUE(h.list("nothing-here")->empty());
}

}  // namespace
}  // namespace cairn::cgroups
