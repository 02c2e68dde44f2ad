#include "lib/mesos/task_info.hpp"

#include <fmt/core.h>

#include "lib/mesos/json_fields.hpp"

namespace cairn::mesos {

namespace {

Resources read_resources(const Fields& f, std::string_view default_role) {
  const nlohmann::json* value = f.get("resources");
  if (value == nullptr) return {};
  Result<Resources> resources = Resources::from_json(*value, default_role);
  if (!resources.ok()) f.fail("resources", resources.error());
  return std::move(resources).value();
}

// CommandInfo: a shell command needs `value`; argv form may use arguments.
void check_command(const Fields& command) {
  bool shell = command.boolean("shell", true);
  std::optional<std::string> value = command.optional_string("value");
  command.string_array("arguments");
  if (shell && !value) command.fail("value", "a shell command (shell: true) needs a value");
  const auto& uris = command.array("uris");
  for (size_t i = 0; i < uris.size(); ++i) {
    Fields uri(uris[i], fmt::format("{}[{}]", command.path_of("uris"), i));
    uri.required_string("value");
    uri.boolean("executable", false);
    uri.boolean("extract", true);
    uri.boolean("cache", false);
  }
  if (auto environment = command.optional_object("environment")) {
    const auto& variables = environment->array("variables");
    for (size_t i = 0; i < variables.size(); ++i) {
      Fields variable(variables[i], fmt::format("{}[{}]", environment->path_of("variables"), i));
      variable.required_string("name");
    }
  }
  command.optional_string("user");
}

void check_optional_objects(const Fields& f, std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) f.optional_object(key);
}

}  // namespace

Result<ExecutorInfo> ExecutorInfo::from_json(const nlohmann::json& json, const std::string& path,
                                             std::string_view default_role) {
  return parse_fields([&] {
    Fields f(json, path);
    ExecutorInfo info;
    info.executor_id = f.required_id("executor_id");
    f.optional_id("framework_id");
    info.type = f.optional_enum("type", {"DEFAULT", "CUSTOM"}).value_or("CUSTOM");
    if (auto command = f.optional_object("command")) check_command(*command);
    if (info.type == "CUSTOM" && !f.has("command")) {
      f.fail("command", "a CUSTOM executor needs a command");
    }
    info.resources = read_resources(f, default_role);
    check_optional_objects(f, {"container", "labels", "discovery", "shutdown_grace_period"});
    info.json = json;
    return info;
  });
}

Result<TaskInfo> TaskInfo::from_json(const nlohmann::json& json, const std::string& path,
                                     std::string_view default_role) {
  return parse_fields([&] {
    Fields f(json, path);
    TaskInfo info;
    info.name = f.required_string("name");
    info.task_id = f.required_id("task_id");
    info.agent_id = f.required_id("agent_id");
    info.resources = read_resources(f, default_role);
    if (auto command = f.optional_object("command")) {
      check_command(*command);
      info.has_command = true;
    }
    if (const nlohmann::json* executor = f.get("executor")) {
      Result<ExecutorInfo> parsed = ExecutorInfo::from_json(*executor, f.path_of("executor"),
                                                            default_role);
      if (!parsed.ok()) throw FieldError(parsed.error());
      info.executor = std::move(parsed).value();
    }
    check_optional_objects(f, {"container", "health_check", "check", "kill_policy", "labels",
                               "discovery", "max_completion_time"});
    f.optional_string("data");
    info.json = json;
    return info;
  });
}

}  // namespace cairn::mesos
