#include "lib/mesos/scheduler_call.hpp"

#include <fmt/core.h>

#include "lib/mesos/json_fields.hpp"

namespace cairn::mesos {

const std::vector<std::string_view>& scheduler_call_types() {
  static const std::vector<std::string_view> types{
      "SUBSCRIBE",       "TEARDOWN",  "ACCEPT",   "DECLINE",     "ACCEPT_INVERSE_OFFERS",
      "DECLINE_INVERSE_OFFERS",       "REVIVE",   "KILL",        "SHUTDOWN",
      "ACKNOWLEDGE",     "ACKNOWLEDGE_OPERATION_STATUS",         "RECONCILE",
      "RECONCILE_OPERATIONS",         "MESSAGE",  "REQUEST",     "SUPPRESS",
      "UPDATE_FRAMEWORK"};
  return types;
}

namespace {

const std::vector<std::string_view> kOperationTypes{"LAUNCH", "LAUNCH_GROUP", "RESERVE",
                                                    "UNRESERVE", "CREATE", "DESTROY",
                                                    "GROW_VOLUME", "SHRINK_VOLUME",
                                                    "CREATE_DISK", "DESTROY_DISK"};

Filters read_filters(const Fields& payload) {
  Filters filters;
  if (auto f = payload.optional_object("filters")) {
    filters.refuse_seconds = f->number("refuse_seconds", 5.0);
    if (filters.refuse_seconds < 0) f->fail("refuse_seconds", "must not be negative");
  }
  return filters;
}

template <typename T>
T unwrap(Result<T> result) {
  if (!result.ok()) throw FieldError(result.error());
  return std::move(result).value();
}

Resources read_resources(const Fields& f, std::string_view key) {
  const nlohmann::json* value = f.get(key);
  if (value == nullptr) f.fail(key, "required resources are missing");
  Result<Resources> resources = Resources::from_json(*value);
  if (!resources.ok()) f.fail(key, resources.error());
  if (resources->empty()) f.fail(key, "must not be empty");
  return std::move(resources).value();
}

OfferOperation read_operation(const Fields& op) {
  OfferOperation out;
  out.type = op.required_enum("type", kOperationTypes);
  out.json = op.json();
  if (out.type == "LAUNCH") {
    Fields launch = op.required_object("launch");
    const auto& tasks = launch.array("task_infos");
    for (size_t i = 0; i < tasks.size(); ++i) {
      out.tasks.push_back(
          unwrap(TaskInfo::from_json(tasks[i], fmt::format("{}[{}]", launch.path_of("task_infos"), i))));
    }
  } else if (out.type == "LAUNCH_GROUP") {
    Fields group = op.required_object("launch_group");
    const nlohmann::json* executor = group.get("executor");
    if (executor == nullptr) group.fail("executor", "required object is missing");
    out.executor = unwrap(ExecutorInfo::from_json(*executor, group.path_of("executor")));
    if (out.executor->type != "DEFAULT") {
      group.fail("executor.type", "a task group runs under the DEFAULT executor");
    }
    Fields task_group = group.required_object("task_group");
    const auto& tasks = task_group.array("tasks");
    if (tasks.empty()) task_group.fail("tasks", "a task group needs at least one task");
    for (size_t i = 0; i < tasks.size(); ++i) {
      out.tasks.push_back(unwrap(
          TaskInfo::from_json(tasks[i], fmt::format("{}[{}]", task_group.path_of("tasks"), i))));
    }
  } else if (out.type == "RESERVE") {
    out.resources = read_resources(op.required_object("reserve"), "resources");
  } else if (out.type == "UNRESERVE") {
    out.resources = read_resources(op.required_object("unreserve"), "resources");
  } else {
    op.fail("type", "operation " + out.type +
                        " is not supported by Cairn (supported: LAUNCH, LAUNCH_GROUP, RESERVE, "
                        "UNRESERVE)");
  }
  return out;
}

SchedulerCall read_call(const nlohmann::json& json) {
  Fields f(json, "");
  SchedulerCall call;
  call.type = f.required_enum("type", scheduler_call_types());
  call.framework_id = f.optional_id("framework_id");
  if (call.type != "SUBSCRIBE" && !call.framework_id) {
    f.fail("framework_id", "required for " + call.type + " calls");
  }
  auto payload = [&](std::string_view key) { return f.required_object(key); };

  if (call.type == "SUBSCRIBE" || call.type == "UPDATE_FRAMEWORK") {
    Fields p = payload(call.type == "SUBSCRIBE" ? "subscribe" : "update_framework");
    const nlohmann::json* info = p.get("framework_info");
    if (info == nullptr) p.fail("framework_info", "required object is missing");
    call.framework_info = unwrap(FrameworkInfo::from_json(*info, p.path_of("framework_info")));
    call.suppressed_roles = p.string_array("suppressed_roles");
    if (call.framework_id && call.framework_info->id != call.framework_id) {
      f.fail("framework_id", "must match subscribe.framework_info.id");
    }
    if (call.type == "UPDATE_FRAMEWORK" && call.framework_info->id != call.framework_id) {
      p.fail("framework_info.id", "must match framework_id");
    }
  } else if (call.type == "ACCEPT") {
    Fields p = payload("accept");
    call.offer_ids = p.id_array("offer_ids");
    if (call.offer_ids.empty()) p.fail("offer_ids", "at least one offer id is required");
    const auto& operations = p.array("operations");
    for (size_t i = 0; i < operations.size(); ++i) {
      call.operations.push_back(
          read_operation(Fields(operations[i], fmt::format("{}[{}]", p.path_of("operations"), i))));
    }
    call.filters = read_filters(p);
  } else if (call.type == "DECLINE") {
    Fields p = payload("decline");
    call.offer_ids = p.id_array("offer_ids");
    if (call.offer_ids.empty()) p.fail("offer_ids", "at least one offer id is required");
    call.filters = read_filters(p);
  } else if (call.type == "REVIVE" || call.type == "SUPPRESS") {
    std::string key = call.type == "REVIVE" ? "revive" : "suppress";
    if (auto p = f.optional_object(key)) call.roles = p->string_array("roles");
  } else if (call.type == "KILL") {
    Fields p = payload("kill");
    call.task_id = p.required_id("task_id");
    call.agent_id = p.optional_id("agent_id");
    if (auto policy = p.optional_object("kill_policy")) call.kill_policy = policy->json();
  } else if (call.type == "SHUTDOWN") {
    Fields p = payload("shutdown");
    call.executor_id = p.required_id("executor_id");
    call.agent_id = p.required_id("agent_id");
  } else if (call.type == "ACKNOWLEDGE") {
    Fields p = payload("acknowledge");
    call.agent_id = p.required_id("agent_id");
    call.task_id = p.required_id("task_id");
    call.uuid = p.required_string("uuid");
    if (call.uuid.empty()) p.fail("uuid", "must not be empty");
  } else if (call.type == "RECONCILE") {
    if (auto p = f.optional_object("reconcile")) {
      const auto& tasks = p->array("tasks");
      for (size_t i = 0; i < tasks.size(); ++i) {
        Fields task(tasks[i], fmt::format("{}[{}]", p->path_of("tasks"), i));
        call.reconcile.push_back({task.required_id("task_id"), task.optional_id("agent_id")});
      }
    }
  } else if (call.type == "MESSAGE") {
    Fields p = payload("message");
    call.agent_id = p.required_id("agent_id");
    call.executor_id = p.required_id("executor_id");
    call.data = p.required_string("data");
  }
  // TEARDOWN has no payload; the inverse-offer, REQUEST and operation
  // feedback calls are accepted and ignored by the master.
  return call;
}

}  // namespace

Result<SchedulerCall> scheduler_call_from_json(const nlohmann::json& json) {
  return parse_fields([&] { return read_call(json); });
}

Result<SchedulerCall> parse_scheduler_call(std::string_view body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Error("body is not valid JSON");
  return scheduler_call_from_json(json);
}

}  // namespace cairn::mesos
