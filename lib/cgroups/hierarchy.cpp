#include "lib/cgroups/hierarchy.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "lib/cgroups/files.hpp"

namespace cairn::cgroups {

namespace {

// Non-empty pieces between separators.
std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::string> split_path(const std::string& path) {
  return split(path, '/');
}

// v2 only hands a controller's files to a child when every ancestor lists
// it in cgroup.subtree_control.
Status enable_in_subtree(const std::string& dir, const std::vector<std::string>& needed) {
  std::string path = files::join(dir, "cgroup.subtree_control");
  Result<std::string> text = files::read(path);
  if (!text.ok()) return Error(text.error());
  std::vector<std::string> have = split(std::string(files::trim(*text)), ' ');
  std::string missing;
  for (const std::string& name : needed) {
    if (std::find(have.begin(), have.end(), name) == have.end())
      missing += (missing.empty() ? "+" : " +") + name;
  }
  if (missing.empty()) return ok_status();
  return files::write(path, missing);
}

}  // namespace

Result<std::string> normalize_cgroup_path(const std::string& path) {
  std::vector<std::string> parts = split_path(path);
  if (parts.empty()) return Error("cgroup path '" + path + "' is empty");
  std::string out;
  for (const std::string& part : parts) {
    if (part == "." || part == "..") {
      return Error("cgroup path '" + path + "' must not contain '.' or '..'");
    }
    out += (out.empty() ? "" : "/") + part;
  }
  return out;
}

Result<CgroupHierarchy> CgroupHierarchy::discover(const std::string& mountinfo_path) {
  Result<std::vector<ControllerMount>> mounts = discover_mounts(mountinfo_path);
  if (!mounts.ok()) return Error(mounts.error());
  return CgroupHierarchy(std::move(mounts).value());
}

CgroupHierarchy::CgroupHierarchy(std::vector<ControllerMount> mounts)
    : mounts_(std::move(mounts)) {}

const ControllerMount* CgroupHierarchy::mount(Controller controller) const {
  for (const ControllerMount& m : mounts_) {
    if (m.controller == controller) return &m;
  }
  return nullptr;
}

Controllers CgroupHierarchy::available() const {
  Controllers out;
  for (const ControllerMount& m : mounts_)
    out.insert(m.controller);
  return out;
}

Status CgroupHierarchy::check(const Controllers& needed) const {
  Controllers missing;
  for (Controller c : needed) {
    if (mount(c) == nullptr) missing.insert(c);
  }
  if (missing.empty()) return ok_status();
  Controllers have = available();
  return Error("cgroup controller(s) not available: " + describe(missing) +
               " (available: " + (have.empty() ? std::string("none") : describe(have)) + ")");
}

Result<Cgroup> CgroupHierarchy::create(const std::string& path) const {
  return create(path, available());
}

Result<Cgroup> CgroupHierarchy::create(const std::string& path,
                                       const Controllers& controllers) const {
  Result<std::string> normalized = normalize_cgroup_path(path);
  if (!normalized.ok()) return Error(normalized.error());
  if (controllers.empty()) return Error("cannot create cgroup " + *normalized + ": no controllers");
  Status available_status = check(controllers);
  if (!available_status.ok()) {
    return Error("cannot create cgroup " + *normalized + ": " + available_status.error());
  }
  std::vector<std::string> parts = split_path(*normalized);

  std::vector<Cgroup::Place> places;
  std::vector<std::string> done;  // mount points already handled
  for (Controller c : controllers) {
    const ControllerMount* m = mount(c);
    places.push_back({c, m->version, files::join(m->mount_point, *normalized)});
    if (std::find(done.begin(), done.end(), m->mount_point) != done.end()) continue;
    done.push_back(m->mount_point);

    // Under v2, cpu and memory must be enabled down the path (cpu.stat and
    // cgroup.freeze need nothing).
    std::vector<std::string> to_enable;
    if (m->version == CgroupVersion::v2) {
      for (Controller other : controllers) {
        const ControllerMount* om = mount(other);
        if (om->mount_point == m->mount_point &&
            (other == Controller::cpu || other == Controller::memory)) {
          to_enable.emplace_back(controller_name(other));
        }
      }
    }
    std::string dir = m->mount_point;
    for (const std::string& part : parts) {
      if (!to_enable.empty()) {
        Status enabled = enable_in_subtree(dir, to_enable);
        if (!enabled.ok())
          return Error("cannot create cgroup " + *normalized + ": " + enabled.error());
      }
      dir = files::join(dir, part);
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return Error("cannot create " + dir + ": " + files::errno_text(errno));
      }
    }
  }
  return Cgroup(*normalized, std::move(places));
}

Result<Cgroup> CgroupHierarchy::open(const std::string& path) const {
  return open_places(path, available(), false);
}

Result<Cgroup> CgroupHierarchy::open(const std::string& path,
                                     const Controllers& controllers) const {
  return open_places(path, controllers, true);
}

Result<Cgroup> CgroupHierarchy::open_places(const std::string& path, const Controllers& controllers,
                                            bool strict) const {
  Result<std::string> normalized = normalize_cgroup_path(path);
  if (!normalized.ok()) return Error(normalized.error());
  if (strict) {
    Status available_status = check(controllers);
    if (!available_status.ok()) {
      return Error("cannot open cgroup " + *normalized + ": " + available_status.error());
    }
  }
  std::vector<Cgroup::Place> places;
  for (Controller c : controllers) {
    const ControllerMount* m = mount(c);
    if (m == nullptr) continue;
    std::string dir = files::join(m->mount_point, *normalized);
    if (files::exists(dir)) {
      places.push_back({c, m->version, dir});
    } else if (strict) {
      return Error("cgroup " + *normalized + " does not exist in the " +
                   std::string(controller_name(c)) + " hierarchy (" + dir + ")");
    }
  }
  if (places.empty()) {
    return Error("cgroup " + *normalized + " does not exist in any of the " +
                 describe(controllers) + " hierarchies");
  }
  return Cgroup(*normalized, std::move(places));
}

bool CgroupHierarchy::exists(const std::string& path) const {
  Result<std::string> normalized = normalize_cgroup_path(path);
  if (!normalized.ok()) return false;
  return std::any_of(mounts_.begin(), mounts_.end(), [&](const ControllerMount& m) {
    return files::exists(files::join(m.mount_point, *normalized));
  });
}

Result<std::vector<std::string>> CgroupHierarchy::list(const std::string& root) const {
  Result<std::string> normalized = normalize_cgroup_path(root);
  if (!normalized.ok()) return Error(normalized.error());
  std::set<std::string> names;
  std::set<std::string> seen;
  for (const ControllerMount& m : mounts_) {
    if (!seen.insert(m.mount_point).second) continue;
    Result<std::vector<std::string>> children =
        files::subdirectories(files::join(m.mount_point, *normalized));
    if (!children.ok()) return Error(children.error());
    names.insert(children->begin(), children->end());
  }
  return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace cairn::cgroups
