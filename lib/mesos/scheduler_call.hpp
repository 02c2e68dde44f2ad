// A Mesos v1 scheduler API call (POST /api/v1/scheduler), parsed and
// checked for shape.
//
// parse_scheduler_call() turns the JSON body into a SchedulerCall or an
// error naming the offending field (the master answers it with 400). Only
// the payload of the call's type is read; each type's payload fields are
// grouped below. Semantic checks that need cluster state (does the offer
// exist, does the task fit) are the master's.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/mesos/framework_info.hpp"
#include "lib/mesos/task_info.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::mesos {

// Mesos Filters; refuse_seconds defaults to 5 as in the proto.
struct Filters {
  double refuse_seconds = 5.0;
};

// One offer operation of an ACCEPT.
struct OfferOperation {
  std::string type;              // LAUNCH, LAUNCH_GROUP, RESERVE, UNRESERVE
  std::vector<TaskInfo> tasks;   // LAUNCH, LAUNCH_GROUP
  std::optional<ExecutorInfo> executor;  // LAUNCH_GROUP
  Resources resources;           // RESERVE, UNRESERVE
  nlohmann::json json;
};

struct ReconcileTask {
  std::string task_id;
  std::optional<std::string> agent_id;
};

struct SchedulerCall {
  std::string type;
  std::optional<std::string> framework_id;

  // SUBSCRIBE
  std::optional<FrameworkInfo> framework_info;
  std::vector<std::string> suppressed_roles;
  // ACCEPT, DECLINE
  std::vector<std::string> offer_ids;
  std::vector<OfferOperation> operations;
  Filters filters;
  // REVIVE, SUPPRESS (empty: all of the framework's roles)
  std::vector<std::string> roles;
  // KILL, SHUTDOWN, ACKNOWLEDGE, MESSAGE
  std::string task_id;
  std::optional<std::string> agent_id;
  std::string executor_id;
  nlohmann::json kill_policy;
  std::string uuid;  // ACKNOWLEDGE, base64 as sent
  std::string data;  // MESSAGE, base64 as sent
  // RECONCILE (empty: implicit reconciliation)
  std::vector<ReconcileTask> reconcile;
};

// Every call type Mesos 1.x defines; the ones Cairn accepts but ignores
// (inverse offers, REQUEST, operation feedback) are answered 202.
const std::vector<std::string_view>& scheduler_call_types();

Result<SchedulerCall> parse_scheduler_call(std::string_view body);
Result<SchedulerCall> scheduler_call_from_json(const nlohmann::json& json);

}  // namespace cairn::mesos
