// Events of the Mesos v1 scheduler API, parsed from the JSON records of the
// SUBSCRIBE stream.
//
// parse_event() checks the shape each event type needs (the nested OFFERS
// list, {"value": ...} identifiers, the base64 data of MESSAGE) and unwraps
// it into one of the structs below; full messages (offers, TaskStatus,
// MasterInfo) stay JSON. Types the Scheduler interface has no callback for
// (INVERSE_OFFERS, UPDATE_OPERATION_STATUS...) become OtherEvent so a newer
// master never breaks the stream.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/duration.hpp"

namespace cairn::scheduler {

// Mesos' default when SUBSCRIBED carries no heartbeat_interval_seconds.
inline constexpr Duration kDefaultHeartbeatInterval = Duration::seconds(15);

struct SubscribedEvent {
  std::string framework_id;
  Duration heartbeat_interval = kDefaultHeartbeatInterval;
  nlohmann::json master_info = nlohmann::json::object();
};

struct OffersEvent {
  std::vector<nlohmann::json> offers;
};

struct RescindEvent {
  std::string offer_id;
};

struct UpdateEvent {
  nlohmann::json status;  // TaskStatus
};

struct MessageEvent {
  std::string agent_id;
  std::string executor_id;
  std::string data;  // decoded
};

// An agent (no executor_id) or an executor on it was lost.
struct FailureEvent {
  std::string agent_id;
  std::optional<std::string> executor_id;
  std::optional<int> status;
};

struct ErrorEvent {
  std::string message;
};

struct HeartbeatEvent {};

struct OtherEvent {
  std::string type;
  nlohmann::json event;
};

using Event = std::variant<SubscribedEvent, OffersEvent, RescindEvent, UpdateEvent, MessageEvent,
                           FailureEvent, ErrorEvent, HeartbeatEvent, OtherEvent>;

// One record of the event stream; the error says which field was wrong.
Result<Event> parse_event(std::string_view record);

}  // namespace cairn::scheduler
