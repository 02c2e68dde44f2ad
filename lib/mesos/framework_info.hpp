// Mesos FrameworkInfo: who a framework is, the roles it uses and what it can
// do. Parsed from SUBSCRIBE calls and written back in state endpoints and
// events exactly as given, plus the id the master assigned.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::mesos {

struct FrameworkInfo {
  std::string user;
  std::string name;
  std::optional<std::string> id;
  double failover_timeout = 0;  // seconds
  bool checkpoint = false;
  // The roles the framework uses: `roles` with the MULTI_ROLE capability,
  // otherwise the single legacy `role` ("*" by default).
  std::vector<std::string> roles;
  std::string hostname;
  std::optional<std::string> principal;
  std::string webui_url;
  std::set<std::string> capabilities;  // "MULTI_ROLE", "PARTITION_AWARE", ...
  nlohmann::json labels;               // passed through; null when absent

  bool has_capability(const std::string& name) const { return capabilities.count(name) > 0; }
  bool multi_role() const { return has_capability("MULTI_ROLE"); }
  bool partition_aware() const { return has_capability("PARTITION_AWARE"); }

  // Validated: user and name present, roles valid and consistent with the
  // MULTI_ROLE capability (role and roles are not both set). `path` prefixes
  // error locations.
  static Result<FrameworkInfo> from_json(const nlohmann::json& json, const std::string& path);
  // What to_json() wrote (the registry's copy, an agent's report): as
  // from_json, but the default role "*" written beside MULTI_ROLE roles, as
  // Mesos writes it, is not an error.
  static Result<FrameworkInfo> from_written_json(const nlohmann::json& json,
                                                 const std::string& path);
  // The v1 JSON, defaults written (failover_timeout, checkpoint, role).
  nlohmann::json to_json() const;
};

// The capability names Mesos 1.x defines.
const std::vector<std::string_view>& framework_capability_names();

}  // namespace cairn::mesos
