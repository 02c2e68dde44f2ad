// Fuzzes the Mesos v1 scheduler call parser (the body of every
// POST /api/v1/scheduler) and the status parser the agent protocol uses:
// any input must parse or fail with a message, never crash or hang, and a
// parsed call's FrameworkInfo must print back to JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/mesos/scheduler_call.hpp"
#include "lib/mesos/task_status.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto call = cairn::mesos::parse_scheduler_call(body);
  if (call.ok()) {
    if (call->framework_info) (void)call->framework_info->to_json().dump();
    for (const auto& op : call->operations) {
      for (const auto& task : op.tasks) (void)task.resources.to_string();
    }
  } else if (call.error().empty()) {
    __builtin_trap();  // every failure must say what was wrong
  }
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_discarded()) {
    auto status = cairn::mesos::TaskStatus::from_json(json, "status");
    if (status.ok()) (void)status->to_json().dump();
  }
  return 0;
}
