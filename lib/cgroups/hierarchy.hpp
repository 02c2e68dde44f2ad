// CgroupHierarchy: finds the cgroup controllers and creates, opens and lists
// container cgroups in them.
//
// The agent builds one at start-up (discover()), refuses cgroups/* isolation
// if a needed controller is missing (check()), creates a cgroup per
// container under its --cgroups_root ("cairn/<container-id>"), re-opens them
// after a restart to recover running containers, and lists the root to find
// cgroups it no longer knows about (orphans of a crash). Paths are relative
// to each controller's mount point, so the same path names the container in
// every v1 hierarchy and in the v2 one. Under v2 create() also enables the
// cpu and memory controllers for the new cgroup in each ancestor's
// cgroup.subtree_control. The mounts are a constructor parameter, so tests
// can point a hierarchy at a fake tree.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/cgroups/cgroup.hpp"
#include "lib/cgroups/controller.hpp"
#include "lib/cgroups/mounts.hpp"

namespace cairn::cgroups {

class CgroupHierarchy {
 public:
  // Reads the mount table (a fake one in tests). An empty hierarchy (no
  // cgroups mounted) is not an error; check() reports what is missing.
  static Result<CgroupHierarchy> discover(
      const std::string& mountinfo_path = "/proc/self/mountinfo");
  explicit CgroupHierarchy(std::vector<ControllerMount> mounts);

  const std::vector<ControllerMount>& mounts() const { return mounts_; }
  // nullptr when no mount provides the controller.
  const ControllerMount* mount(Controller controller) const;
  Controllers available() const;
  // Fails naming every controller in `needed` that is not available.
  Status check(const Controllers& needed) const;

  // Creates `path` ("cairn/abc"; parents too) in each of `controllers`
  // (default: every available one). An existing cgroup is reused.
  Result<Cgroup> create(const std::string& path) const;
  Result<Cgroup> create(const std::string& path, const Controllers& controllers) const;

  // An existing cgroup, for recovery. Without `controllers` it covers every
  // available controller in which the path exists and fails if there is
  // none; with them, each must exist.
  Result<Cgroup> open(const std::string& path) const;
  Result<Cgroup> open(const std::string& path, const Controllers& controllers) const;

  bool exists(const std::string& path) const;

  // Names of the cgroups directly under `root` in any controller, sorted
  // ("cairn" → {"abc", "def"}); empty when root does not exist.
  Result<std::vector<std::string>> list(const std::string& root) const;

 private:
  Result<Cgroup> open_places(const std::string& path, const Controllers& controllers,
                             bool strict) const;

  std::vector<ControllerMount> mounts_;
};

// "cairn//abc/" → "cairn/abc"; refuses empty paths, "." and "..".
Result<std::string> normalize_cgroup_path(const std::string& path);

}  // namespace cairn::cgroups
