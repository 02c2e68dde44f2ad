#include "lib/mesos/framework_info.hpp"

#include <fmt/core.h>

#include "lib/mesos/json_fields.hpp"
#include "lib/resources/role.hpp"

namespace cairn::mesos {

const std::vector<std::string_view>& framework_capability_names() {
  static const std::vector<std::string_view> names{
      "REVOCABLE_RESOURCES", "TASK_KILLING_STATE",     "GPU_RESOURCES",
      "SHARED_RESOURCES",    "PARTITION_AWARE",        "MULTI_ROLE",
      "RESERVATION_REFINEMENT", "REGION_AWARE"};
  return names;
}

Result<FrameworkInfo> FrameworkInfo::from_json(const nlohmann::json& json, const std::string& path) {
  return parse_fields([&] {
    Fields f(json, path);
    FrameworkInfo info;
    info.user = f.required_string("user");
    info.name = f.required_string("name");
    info.id = f.optional_id("id");
    info.failover_timeout = f.number("failover_timeout", 0);
    if (!(info.failover_timeout >= 0)) f.fail("failover_timeout", "must not be negative");
    info.checkpoint = f.boolean("checkpoint", false);
    info.hostname = f.optional_string("hostname").value_or("");
    info.principal = f.optional_string("principal");
    info.webui_url = f.optional_string("webui_url").value_or("");
    const auto& capabilities = f.array("capabilities");
    for (size_t i = 0; i < capabilities.size(); ++i) {
      Fields capability(capabilities[i], fmt::format("{}[{}]", f.path_of("capabilities"), i));
      // Unknown capability names are dropped, as Mesos drops unknown enums.
      if (auto type = capability.optional_enum("type", framework_capability_names())) {
        info.capabilities.insert(*type);
      }
    }
    if (const nlohmann::json* labels = f.get("labels")) {
      Fields(*labels, f.path_of("labels"));  // must be an object
      info.labels = *labels;
    }
    std::optional<std::string> role = f.optional_string("role");
    std::vector<std::string> roles = f.string_array("roles");
    if (info.multi_role()) {
      if (role) f.fail("role", "must not be set with the MULTI_ROLE capability; use 'roles'");
      if (roles.empty()) f.fail("roles", "a MULTI_ROLE framework needs at least one role");
      info.roles = roles;
    } else {
      if (!roles.empty()) {
        f.fail("roles", "needs the MULTI_ROLE capability; without it use 'role'");
      }
      info.roles = {role.value_or("*")};
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < info.roles.size(); ++i) {
      Status valid = validate_role_name(info.roles[i]);
      std::string key = info.multi_role() ? fmt::format("roles[{}]", i) : "role";
      if (!valid.ok()) f.fail(key, valid.error());
      if (!seen.insert(info.roles[i]).second) f.fail(key, "role '" + info.roles[i] + "' repeated");
    }
    return info;
  });
}

Result<FrameworkInfo> FrameworkInfo::from_written_json(const nlohmann::json& json,
                                                       const std::string& path) {
  if (json.is_object() && json.contains("roles") && json.value("role", nlohmann::json()) == "*") {
    nlohmann::json without_role = json;
    without_role.erase("role");
    return from_json(without_role, path);
  }
  return from_json(json, path);
}

nlohmann::json FrameworkInfo::to_json() const {
  nlohmann::json out{{"user", user},
                     {"name", name},
                     {"failover_timeout", failover_timeout},
                     {"checkpoint", checkpoint}};
  if (id) out["id"] = id_json(*id);
  if (multi_role()) {
    out["roles"] = roles;
    out["role"] = "*";  // the proto default, written as Mesos does
  } else {
    out["role"] = roles.empty() ? "*" : roles.front();
  }
  if (!hostname.empty()) out["hostname"] = hostname;
  if (principal) out["principal"] = *principal;
  if (!webui_url.empty()) out["webui_url"] = webui_url;
  if (!capabilities.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : capabilities) list.push_back({{"type", c}});
    out["capabilities"] = list;
  }
  if (!labels.is_null()) out["labels"] = labels;
  return out;
}

}  // namespace cairn::mesos
