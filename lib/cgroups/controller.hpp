// Controller: the cgroup controllers Cairn isolates containers with, and the
// two cgroup versions that can provide them.
//
// The mesos containerizer needs four controllers: cpu (shares and CFS quota),
// cpuacct (CPU usage), memory (limit, usage, OOM) and freezer (to stop a
// container's processes from forking while it is being killed). Under cgroup
// v1 each lives in a hierarchy of its own (or a few share a mount, like
// "cpu,cpuacct"); under cgroup v2 cpu and memory are controllers of the one
// unified hierarchy, while CPU accounting (cpu.stat) and freezing
// (cgroup.freeze) are built into every v2 cgroup.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace cairn::cgroups {

enum class CgroupVersion { v1, v2 };

enum class Controller { cpu, cpuacct, memory, freezer };

using Controllers = std::set<Controller>;

// Every controller Cairn knows, in a fixed order.
const Controllers& all_controllers();

// "cpu", "cpuacct", "memory", "freezer" (the v1 mount option names).
std::string_view controller_name(Controller controller);
std::optional<Controller> parse_controller(std::string_view name);
std::string_view version_name(CgroupVersion version);  // "v1" / "v2"

// "cpu, memory" for error messages.
std::string describe(const Controllers& controllers);

}  // namespace cairn::cgroups
