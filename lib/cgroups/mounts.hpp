// Mounts: which cgroup hierarchy provides each controller on this machine.
//
// A host may run cgroup v1 (one hierarchy per controller, or a few combined
// such as "cpu,cpuacct"), pure cgroup v2 (one unified hierarchy), or a hybrid
// of both (v1 controllers plus a v2 mount that holds whatever v1 did not
// take). We read /proc/self/mountinfo rather than assume /sys/fs/cgroup
// paths: distributions, containers and test fakes mount them elsewhere. A v1
// mount provides the controllers named in its super options; the v2 mount
// provides cpu and memory only when its cgroup.controllers lists them (a
// controller bound to a v1 hierarchy never appears there), and it always
// provides CPU accounting and freezing. v1 wins when both could serve.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/cgroups/controller.hpp"

namespace cairn::cgroups {

// One cgroup filesystem from mountinfo.
struct CgroupMount {
  CgroupVersion version = CgroupVersion::v1;
  std::string mount_point;           // "/sys/fs/cgroup/memory"
  std::vector<std::string> options;  // v1 super options: "rw", "memory", ...
};

// A controller and the mount that provides it.
struct ControllerMount {
  Controller controller = Controller::cpu;
  CgroupVersion version = CgroupVersion::v1;
  std::string mount_point;
};

// The cgroup and cgroup2 entries of a mountinfo text, in order. Mount points
// are unescaped ("\040" is a space).
std::vector<CgroupMount> parse_mountinfo(std::string_view text);

// Which mount provides each Cairn controller; controllers that no mount
// provides are absent. Reads the v2 mount's cgroup.controllers.
std::vector<ControllerMount> resolve_controllers(const std::vector<CgroupMount>& mounts);

// parse_mountinfo + resolve_controllers on a mountinfo file (a fake one in
// tests). Fails only when the file cannot be read.
Result<std::vector<ControllerMount>> discover_mounts(
    const std::string& mountinfo_path = "/proc/self/mountinfo");

}  // namespace cairn::cgroups
