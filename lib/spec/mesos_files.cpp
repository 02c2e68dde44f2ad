// nlohmann::json parses (its exceptions stay in parse()); JsonShape walks
// the fixed structure of each file, recording a problem per bad value.
#include "lib/spec/mesos_files.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "lib/base/suggest.hpp"

namespace cairn::spec {
namespace {

using nlohmann::json;

constexpr size_t kMaxProblems = 20;

// Mesos' ACLs message: each kind of rule and the object field its rules
// have besides "principals".
const std::map<std::string_view, std::string_view>& acl_object_fields() {
  static const std::map<std::string_view, std::string_view> kFields = {
      {"register_frameworks", "roles"},
      {"run_tasks", "users"},
      {"reserve_resources", "roles"},
      {"unreserve_resources", "reserver_principals"},
      {"create_volumes", "roles"},
      {"destroy_volumes", "creator_principals"},
      {"resize_volumes", "roles"},
      {"teardown_frameworks", "framework_principals"},
      {"update_weights", "roles"},
      {"get_endpoints", "paths"},
      {"get_quotas", "roles"},
      {"update_quotas", "roles"},
      {"view_frameworks", "users"},
      {"view_tasks", "users"},
      {"view_executors", "users"},
      {"access_sandboxes", "users"},
      {"access_mesos_logs", "logs"},
      {"view_roles", "roles"},
      {"view_flags", "flags"},
      {"launch_nested_containers_as_user", "users"},
      {"launch_nested_containers_under_parent_with_user", "users"},
      {"kill_nested_containers", "users"},
      {"wait_nested_containers", "users"},
      {"launch_nested_container_sessions_as_user", "users"},
      {"launch_nested_container_sessions_under_parent_with_user", "users"},
      {"attach_containers_input", "users"},
      {"attach_containers_output", "users"},
      {"view_containers", "users"},
      {"set_log_level", "level"},
      {"remove_nested_containers", "users"},
      {"register_agents", "agents"},
      {"update_maintenance_schedules", "machines"},
      {"get_maintenance_schedules", "machines"},
      {"start_maintenances", "machines"},
      {"stop_maintenances", "machines"},
      {"get_maintenance_statuses", "machines"},
      {"drain_agents", "agents"},
      {"deactivate_agents", "agents"},
      {"reactivate_agents", "agents"},
      {"mark_agents_gone", "agents"},
      {"launch_standalone_containers", "users"},
      {"kill_standalone_containers", "users"},
      {"wait_standalone_containers", "users"},
      {"remove_standalone_containers", "users"},
      {"view_standalone_containers", "users"},
      {"modify_resource_provider_configs", "resource_providers"},
      {"mark_resource_providers_gone", "resource_providers"},
      {"view_resource_providers", "resource_providers"},
      {"prune_images", "images"},
      {"create_block_disks", "roles"},
      {"destroy_block_disks", "roles"},
      {"create_mount_disks", "roles"},
      {"destroy_mount_disks", "roles"},
      {"destroy_raw_disks", "roles"},
  };
  return kFields;
}

// A JSON value for "(got X)": compact, invalid UTF-8 replaced, cut short.
std::string shown(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

std::string kind_of(const json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "a list";
  return shown(value);
}

std::string member(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string element(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

class JsonShape {
 public:
  std::vector<std::string> problems;

  // Parses `text` as a JSON object; false (with the problem) if it is not.
  bool parse(std::string_view text, json& out) {
    try {
      out = json::parse(text);
    } catch (const json::exception& e) {
      // "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
      std::string what = e.what();
      if (const size_t bracket = what.find("] "); what.starts_with("[") && bracket != what.npos) {
        what = what.substr(bracket + 2);
      }
      add("", "is not valid JSON: " + what);
      return false;
    }
    if (!out.is_object()) {
      add("", "must hold a JSON object (got " + kind_of(out) + ")");
      return false;
    }
    return true;
  }

  void add(const std::string& path, const std::string& message) {
    if (problems.size() >= kMaxProblems) return;
    std::string problem = path.empty() ? message : path + ": " + message;
    // Keys and parser messages come from the file; keep the terminal safe.
    for (char& c : problem) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    problems.push_back(std::move(problem));
  }

  // Reports keys of `object` not in `known`.
  void known_keys(const json& object, const std::string& path,
                  std::span<const std::string_view> known) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
      std::string message = "unknown key";
      if (auto guess = closest_match(it.key(), known))
        message += " (did you mean '" + *guess + "'?)";
      add(member(path, it.key()), message);
    }
  }

  // A required non-empty string member; nullptr if absent or wrong.
  const std::string* text(const json& object, const std::string& path, std::string_view key,
                          std::string_view example) {
    const std::string p = member(path, key);
    auto it = object.find(key);
    if (it == object.end()) {
      add(p, "is required (expected a string such as \"" + std::string(example) + "\")");
      return nullptr;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      add(p, "must be a non-empty string (got " + kind_of(*it) + ")");
      return nullptr;
    }
    return &it->get_ref<const std::string&>();
  }

  // An optional number > 0.
  void positive_number(const json& object, const std::string& path, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_number() || !(it->get<double>() > 0)) {
      add(member(path, key), "must be a number > 0 (got " + kind_of(*it) + ")");
    }
  }

  // An optional whole number >= 0.
  void count(const json& object, const std::string& path, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_number_unsigned()) {
      add(member(path, key), "must be a whole number >= 0 (got " + kind_of(*it) + ")");
    }
  }

  // A required list member; nullptr if absent or wrong.
  const json* list(const json& object, const std::string& path, std::string_view key,
                   std::string_view example) {
    const std::string p = member(path, key);
    auto it = object.find(key);
    if (it == object.end()) {
      add(p, "is required (expected a list such as " + std::string(example) + ")");
      return nullptr;
    }
    if (!it->is_array()) {
      add(p,
          "must be a list (got " + kind_of(*it) + "; expected e.g. " + std::string(example) + ")");
      return nullptr;
    }
    return &*it;
  }

  // Principals must be unique within one list.
  void unique(std::map<std::string, size_t>& seen, const std::string& principal,
              const std::string& list_path, size_t index) {
    auto [it, inserted] = seen.emplace(principal, index);
    if (!inserted) {
      add(element(list_path, index) + ".principal", "principal " + shown(json(principal)) +
                                                        " is listed twice (also at " +
                                                        element(list_path, it->second) + ")");
    }
  }

  // An ACL entity: {"values":["a","b"]} or {"type":"ANY"|"NONE"|"SOME"}.
  void entity(const json& value, const std::string& path) {
    if (!value.is_object()) {
      add(path, "must be an object such as {\"values\":[\"a\"]} or {\"type\":\"ANY\"} (got " +
                    kind_of(value) + ")");
      return;
    }
    static constexpr std::string_view kKeys[] = {"type", "values"};
    known_keys(value, path, kKeys);
    if (auto type = value.find("type"); type != value.end()) {
      if (!type->is_string() || (*type != "SOME" && *type != "ANY" && *type != "NONE")) {
        add(member(path, "type"),
            "must be \"ANY\", \"NONE\" or \"SOME\" (got " + kind_of(*type) + ")");
      }
    }
    if (auto values = value.find("values"); values != value.end()) {
      const bool strings =
          values->is_array() &&
          std::all_of(values->begin(), values->end(), [](const json& v) { return v.is_string(); });
      if (!strings) {
        add(member(path, "values"), "must be a list of strings (got " + kind_of(*values) + ")");
      }
    }
  }
};

}  // namespace

std::vector<std::string> check_credentials_json(std::string_view text) {
  JsonShape shape;
  json doc;
  if (!shape.parse(text, doc)) return shape.problems;
  static constexpr std::string_view kRootKeys[] = {"credentials"};
  shape.known_keys(doc, "", kRootKeys);
  const json* list = shape.list(doc, "", "credentials", R"([{"principal":"ops","secret":"..."}])");
  if (!list) return shape.problems;
  if (list->empty()) shape.add("credentials", "is empty (expected at least one credential)");
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    const std::string path = element("credentials", i);
    if (!entry.is_object()) {
      shape.add(path, "must be an object such as {\"principal\":\"ops\",\"secret\":\"...\"} (got " +
                          kind_of(entry) + ")");
      continue;
    }
    static constexpr std::string_view kKeys[] = {"principal", "secret"};
    shape.known_keys(entry, path, kKeys);
    if (const std::string* principal = shape.text(entry, path, "principal", "ops")) {
      shape.unique(seen, *principal, "credentials", i);
    }
    shape.text(entry, path, "secret", "a-long-random-secret");
  }
  return shape.problems;
}

std::vector<std::string> check_acls_json(std::string_view text) {
  JsonShape shape;
  json doc;
  if (!shape.parse(text, doc)) return shape.problems;
  std::vector<std::string_view> kinds = {"permissive"};
  for (const auto& [kind, object] : acl_object_fields())
    kinds.push_back(kind);
  shape.known_keys(doc, "", kinds);

  if (auto it = doc.find("permissive"); it != doc.end() && !it->is_boolean()) {
    shape.add("permissive", "must be true or false (got " + kind_of(*it) + ")");
  }
  for (const auto& [kind, object_field] : acl_object_fields()) {
    auto rules = doc.find(kind);
    if (rules == doc.end()) continue;
    const std::string path(kind);
    if (!rules->is_array()) {
      shape.add(path, "must be a list of rules (got " + kind_of(*rules) + ")");
      continue;
    }
    const std::string_view keys[] = {"principals", object_field};
    for (size_t i = 0; i < rules->size(); ++i) {
      const json& rule = (*rules)[i];
      const std::string rule_path = element(path, i);
      if (!rule.is_object()) {
        shape.add(rule_path, "must be an object with \"principals\" and \"" +
                                 std::string(object_field) + "\" (got " + kind_of(rule) + ")");
        continue;
      }
      shape.known_keys(rule, rule_path, keys);
      for (std::string_view key : keys) {
        auto value = rule.find(key);
        if (value == rule.end()) {
          shape.add(member(rule_path, key),
                    "is required (expected e.g. {\"values\":[\"a\"]} or {\"type\":\"ANY\"})");
        } else {
          shape.entity(*value, member(rule_path, key));
        }
      }
    }
  }
  return shape.problems;
}

std::vector<std::string> check_rate_limits_json(std::string_view text) {
  JsonShape shape;
  json doc;
  if (!shape.parse(text, doc)) return shape.problems;
  static constexpr std::string_view kRootKeys[] = {"limits", "aggregate_default_qps",
                                                   "aggregate_default_capacity"};
  shape.known_keys(doc, "", kRootKeys);
  shape.positive_number(doc, "", "aggregate_default_qps");
  shape.count(doc, "", "aggregate_default_capacity");
  const json* list = shape.list(doc, "", "limits", R"([{"principal":"fw1","qps":10}])");
  if (!list) return shape.problems;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    const std::string path = element("limits", i);
    if (!entry.is_object()) {
      shape.add(path, "must be an object such as {\"principal\":\"fw1\",\"qps\":10} (got " +
                          kind_of(entry) + ")");
      continue;
    }
    static constexpr std::string_view kKeys[] = {"principal", "qps", "capacity"};
    shape.known_keys(entry, path, kKeys);
    if (const std::string* principal = shape.text(entry, path, "principal", "fw1")) {
      shape.unique(seen, *principal, "limits", i);
    }
    shape.positive_number(entry, path, "qps");
    shape.count(entry, path, "capacity");
  }
  return shape.problems;
}

}  // namespace cairn::spec
