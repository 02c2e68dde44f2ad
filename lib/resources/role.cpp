// Checks run in the same order as Mesos' roles::validate so that the first
// problem reported is the one Mesos would report.
#include "lib/resources/role.hpp"

#include <string>

#include "lib/resources/text_tokens.hpp"

namespace cairn {

namespace {

constexpr std::string_view kValid =
    "; a role is '*' or '/'-separated components, each non-empty, not '.', '..' or '*', not "
    "starting with '-', without whitespace, control characters or backslashes";

Status invalid(std::string_view role, const std::string& why) {
  return Error("role " + resources_text::quote(role) + " is invalid: " + why + std::string(kValid));
}

}  // namespace

Status validate_role_name(std::string_view role) {
  if (role == kUnreservedRole) return ok_status();
  if (role.empty()) return invalid(role, "it is empty");
  if (!resources_text::is_valid_utf8(role)) return invalid(role, "it is not valid UTF-8");
  if (role.front() == '/') return invalid(role, "it starts with '/'");
  if (role.back() == '/') return invalid(role, "it ends with '/'");
  if (role.find("//") != std::string_view::npos) {
    return invalid(role, "it contains two adjacent slashes");
  }
  for (std::string_view component : resources_text::split(role, '/')) {
    const std::string quoted = resources_text::quote(component);
    if (component == ".") return invalid(role, "it has '.' as a component");
    if (component == "..") return invalid(role, "it has '..' as a component");
    if (component == "*") return invalid(role, "it has '*' as a component");
    if (component.front() == '-') {
      return invalid(role, "component " + quoted + " starts with '-'");
    }
    for (char c : component) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F || resources_text::is_space(c)) {
        return invalid(role, "component " + quoted + " contains whitespace or a control character");
      }
      if (c == '\\') return invalid(role, "component " + quoted + " contains a backslash");
    }
  }
  return ok_status();
}

bool is_ancestor_or_self(std::string_view role, std::string_view of) {
  if (role == of) return true;
  if (role == kUnreservedRole || role.empty()) return false;
  return of.size() > role.size() && of.substr(0, role.size()) == role && of[role.size()] == '/';
}

std::vector<std::string_view> role_ancestors(std::string_view role) {
  std::vector<std::string_view> result;
  for (size_t i = role.size(); i-- > 0;) {
    if (role[i] == '/') result.push_back(role.substr(0, i));
  }
  return result;
}

}  // namespace cairn
