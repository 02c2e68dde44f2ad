#include "lib/cgroups/mounts.hpp"

#include <algorithm>

#include "lib/cgroups/files.hpp"

namespace cairn::cgroups {

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    auto octal = [&](size_t k) { return text[k] >= '0' && text[k] <= '7'; };
    if (text[i] == '\\' && i + 3 < text.size() && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                               (text[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += text[i];
  }
  return out;
}

}  // namespace

std::vector<CgroupMount> parse_mountinfo(std::string_view text) {
  std::vector<CgroupMount> mounts;
  for (std::string_view line : split(text, '\n')) {
    // id parent major:minor root mount_point options [optional...] - fstype source super_options
    std::vector<std::string_view> fields = split(line, ' ');
    // The separator follows the six fixed fields and any optional ones.
    if (fields.size() < 8) continue;
    size_t dash =
        std::find(fields.begin() + 6, fields.end(), std::string_view("-")) - fields.begin();
    if (dash + 1 >= fields.size()) continue;
    std::string_view fstype = fields[dash + 1];
    CgroupMount mount;
    if (fstype == "cgroup") {
      mount.version = CgroupVersion::v1;
    } else if (fstype == "cgroup2") {
      mount.version = CgroupVersion::v2;
    } else {
      continue;
    }
    mount.mount_point = unescape(fields[4]);
    if (dash + 3 < fields.size()) {
      for (std::string_view option : split(fields[dash + 3], ',')) {
        mount.options.emplace_back(option);
      }
    }
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

std::vector<ControllerMount> resolve_controllers(const std::vector<CgroupMount>& mounts) {
  const CgroupMount* unified = nullptr;
  for (const CgroupMount& mount : mounts) {
    if (mount.version == CgroupVersion::v2) {
      unified = &mount;
      break;
    }
  }
  std::vector<std::string_view> unified_controllers;
  std::string unified_text;
  if (unified != nullptr) {
    Result<std::string> text = files::read(files::join(unified->mount_point, "cgroup.controllers"));
    if (text.ok()) unified_text = *text;
    unified_controllers = split(files::trim(unified_text), ' ');
  }

  std::vector<ControllerMount> out;
  for (Controller controller : all_controllers()) {
    std::string_view name = controller_name(controller);
    const CgroupMount* v1 = nullptr;
    for (const CgroupMount& mount : mounts) {
      if (mount.version == CgroupVersion::v1 &&
          std::find(mount.options.begin(), mount.options.end(), name) != mount.options.end()) {
        v1 = &mount;
        break;
      }
    }
    if (v1 != nullptr) {
      out.push_back({controller, CgroupVersion::v1, v1->mount_point});
      continue;
    }
    if (unified == nullptr) continue;
    // cpu.stat and cgroup.freeze exist in every v2 cgroup; cpu and memory
    // must be offered by the root (else they are bound to v1 or disabled).
    bool builtin = controller == Controller::cpuacct || controller == Controller::freezer;
    bool listed = std::find(unified_controllers.begin(), unified_controllers.end(), name) !=
                  unified_controllers.end();
    if (builtin || listed) out.push_back({controller, CgroupVersion::v2, unified->mount_point});
  }
  return out;
}

Result<std::vector<ControllerMount>> discover_mounts(const std::string& mountinfo_path) {
  Result<std::string> text = files::read(mountinfo_path);
  if (!text.ok()) return Error(text.error());
  return resolve_controllers(parse_mountinfo(*text));
}

}  // namespace cairn::cgroups
