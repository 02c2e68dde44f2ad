// The JSON bodies of Mesos v1 scheduler calls (POST /api/v1/scheduler).
//
// Each function returns one Call object as the master expects it: the
// "type" name, "framework_id": {"value": ...} (except SUBSCRIBE, whose
// framework_info carries it), and the call's own message. Identifiers are
// written as {"value": ...}; repeated fields appear only when non-empty and
// an empty or null `filters` is left out (the master then uses its default
// of 5 seconds), following Mesos' JSON rules. Operations, task infos and
// filters pass through untouched.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cairn::scheduler::calls {

using nlohmann::json;

json subscribe(const json& framework_info);
json teardown(const std::string& framework_id);

// ACCEPT with any operations (LAUNCH, LAUNCH_GROUP, RESERVE, CREATE...).
json accept(const std::string& framework_id, const std::vector<std::string>& offer_ids,
            const json& operations, const json& filters = json());
// The operation {"type": "LAUNCH", "launch": {"task_infos": [...]}}.
json launch_operation(const std::vector<json>& task_infos);

json decline(const std::string& framework_id, const std::vector<std::string>& offer_ids,
             const json& filters = json());
// No roles: every role of the framework.
json revive(const std::string& framework_id, const std::vector<std::string>& roles = {});
json suppress(const std::string& framework_id, const std::vector<std::string>& roles = {});
json kill(const std::string& framework_id, const std::string& task_id,
          const std::optional<std::string>& agent_id = std::nullopt);
// `uuid` is the base64 text found in TaskStatus.uuid.
json acknowledge(const std::string& framework_id, const std::string& agent_id,
                 const std::string& task_id, const std::string& uuid);
// `statuses` are TaskStatus objects (only task_id and agent_id are used);
// none asks for implicit reconciliation of every task.
json reconcile(const std::string& framework_id, const std::vector<json>& statuses);
// `data` is raw bytes; it is base64-encoded here.
json message(const std::string& framework_id, const std::string& agent_id,
             const std::string& executor_id, const std::string& data);

// {"value": id}
json id(const std::string& value);

}  // namespace cairn::scheduler::calls
