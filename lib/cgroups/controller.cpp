#include "lib/cgroups/controller.hpp"

namespace cairn::cgroups {

const Controllers& all_controllers() {
  static const Controllers all{Controller::cpu, Controller::cpuacct, Controller::memory,
                               Controller::freezer};
  return all;
}

std::string_view controller_name(Controller controller) {
  switch (controller) {
    case Controller::cpu:
      return "cpu";
    case Controller::cpuacct:
      return "cpuacct";
    case Controller::memory:
      return "memory";
    case Controller::freezer:
      return "freezer";
  }
  return "unknown";
}

std::optional<Controller> parse_controller(std::string_view name) {
  for (Controller c : all_controllers()) {
    if (controller_name(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view version_name(CgroupVersion version) {
  return version == CgroupVersion::v1 ? "v1" : "v2";
}

std::string describe(const Controllers& controllers) {
  std::string out;
  for (Controller c : controllers) {
    if (!out.empty()) out += ", ";
    out += controller_name(c);
  }
  return out;
}

}  // namespace cairn::cgroups
