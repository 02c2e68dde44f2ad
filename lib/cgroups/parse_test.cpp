// Pure parsing and conversion: mountinfo, control-file formats, CPU maths.
#include <gtest/gtest.h>

#include "lib/cgroups/files.hpp"
#include "lib/cgroups/hierarchy.hpp"
#include "lib/cgroups/limits.hpp"
#include "lib/cgroups/mounts.hpp"

namespace cairn::cgroups {
namespace {

// This machine's layout: v1 controllers plus a v2 mount with leftovers.
constexpr const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n";

TEST(Mountinfo, FindsV1AndV2Mounts) {
  std::vector<CgroupMount> mounts = parse_mountinfo(kHybridMountinfo);
  ASSERT_EQ(mounts.size(), 6u);
  EXPECT_EQ(mounts[0].version, CgroupVersion::v1);
  EXPECT_EQ(mounts[0].mount_point, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(mounts[0].options, (std::vector<std::string>{"rw", "cpu"}));
  EXPECT_EQ(mounts[2].mount_point, "/sys/fs/cgroup/memory");  // optional field skipped
  EXPECT_EQ(mounts[5].version, CgroupVersion::v2);
  EXPECT_EQ(mounts[5].mount_point, "/sys/fs/cgroup/unified");
}

TEST(Mountinfo, V1WinsAndSystemdNameIsNotAController) {
  // v1 provides all four, so the unified mount serves none of them.
  std::vector<ControllerMount> resolved = resolve_controllers(parse_mountinfo(kHybridMountinfo));
  ASSERT_EQ(resolved.size(), 4u);
  for (const ControllerMount& m : resolved) {
    EXPECT_EQ(m.version, CgroupVersion::v1) << controller_name(m.controller);
    EXPECT_EQ(m.mount_point, "/sys/fs/cgroup/" + std::string(controller_name(m.controller)));
  }
}

TEST(Mountinfo, CombinedMountServesBothControllers) {
  std::vector<ControllerMount> resolved = resolve_controllers(
      parse_mountinfo("1 0 0:1 / /cg/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,cpu\n"
                      "2 0 0:2 / /cg/memory rw - cgroup cgroup rw,memory\n"));
  CgroupHierarchy hierarchy(resolved);
  ASSERT_NE(hierarchy.mount(Controller::cpu), nullptr);
  ASSERT_NE(hierarchy.mount(Controller::cpuacct), nullptr);
  EXPECT_EQ(hierarchy.mount(Controller::cpu)->mount_point, "/cg/cpu,cpuacct");
  EXPECT_EQ(hierarchy.mount(Controller::cpuacct)->mount_point, "/cg/cpu,cpuacct");
  EXPECT_EQ(hierarchy.mount(Controller::freezer), nullptr);
  Status missing = hierarchy.check({Controller::memory, Controller::freezer});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(),
            "cgroup controller(s) not available: freezer (available: cpu, cpuacct, memory)");
}

TEST(Mountinfo, UnescapesMountPoints) {
  std::vector<CgroupMount> mounts =
      parse_mountinfo("7 1 0:9 / /tmp/my\\040cgroups rw - cgroup2 none rw,nsdelegate\n");
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0].mount_point, "/tmp/my cgroups");
}

TEST(Mountinfo, IgnoresMalformedLines) {
  EXPECT_TRUE(parse_mountinfo("garbage\n\n1 2 3\n1 0 0:1 / /x rw - cgroup\n").size() <= 1);
  EXPECT_TRUE(parse_mountinfo("").empty());
}

TEST(Limits, CpuSharesAndQuotaFollowMesos) {
  EXPECT_EQ(cpu_shares(1), 1024u);
  EXPECT_EQ(cpu_shares(0.5), 512u);
  EXPECT_EQ(cpu_shares(0.001), 2u);  // kernel minimum
  EXPECT_EQ(cfs_quota_us(0.2), 20000u);
  EXPECT_EQ(cfs_quota_us(0.29), 29000u);  // rounded, not truncated
  EXPECT_EQ(cfs_quota_us(0.001), 1000u);  // kernel minimum
  EXPECT_EQ(cfs_quota_us(4), 400000u);
}

TEST(Limits, WeightMapsSharesLikeTheKernel) {
  EXPECT_EQ(cpu_weight_from_shares(1024), 100u);  // one cpu = default weight
  EXPECT_EQ(cpu_weight_from_shares(2048), 200u);
  EXPECT_EQ(cpu_weight_from_shares(2), 1u);
  EXPECT_EQ(cpu_weight_from_shares(262144), 10000u);
  EXPECT_EQ(cpu_weight_from_shares(1u << 30), 10000u);
}

TEST(Files, ParsesKeyedFiles) {
  auto keyed =
      files::parse_keyed("oom_kill_disable 0\nunder_oom 0\noom_kill 3\nname text\n\nbroken\n");
  EXPECT_EQ(keyed.size(), 3u);
  EXPECT_EQ(keyed["oom_kill"], 3u);
  EXPECT_EQ(keyed.count("name"), 0u);
}

TEST(Files, ParsesPids) {
  auto pids = files::parse_pids("12\n345\n", "/x/cgroup.procs");
  ASSERT_TRUE(pids.ok()) << pids.error();
  EXPECT_EQ(*pids, (std::vector<int>{12, 345}));
  auto bad = files::parse_pids("12\nabc\n", "/x/cgroup.procs");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "cannot parse 'abc' in /x/cgroup.procs as a pid");
}

TEST(Files, ErrorsNameTheFileAndErrno) {
  Status status = files::write("/nonexistent-dir/memory.limit_in_bytes", "512");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(
      status.error(),
      "cannot write 512 to /nonexistent-dir/memory.limit_in_bytes: No such file or directory");
  auto read = files::read_u64("/nonexistent-dir/cpu.shares");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error(), "cannot read /nonexistent-dir/cpu.shares: No such file or directory");
}

TEST(Paths, Normalizes) {
  EXPECT_EQ(*normalize_cgroup_path("/cairn//abc/"), "cairn/abc");
  EXPECT_FALSE(normalize_cgroup_path("").ok());
  EXPECT_FALSE(normalize_cgroup_path("///").ok());
  EXPECT_FALSE(normalize_cgroup_path("cairn/../etc").ok());
}

}  // namespace
}  // namespace cairn::cgroups
