#include "lib/scheduler/events.hpp"

#include <stdexcept>

#include "lib/base/base64.hpp"

namespace cairn::scheduler {
namespace {

using nlohmann::json;

// Parsing throws this (only inside this file) and parse_event() turns it
// into an Error.
struct BadEvent : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "where.name", or "name" at the top level.
std::string path_of(const std::string& where, const char* name) {
  return where.empty() ? name : where + "." + name;
}

const json& object_field(const json& parent, const char* name, const std::string& where) {
  auto it = parent.find(name);
  if (it == parent.end() || !it->is_object()) {
    throw BadEvent(path_of(where, name) + ": expected an object");
  }
  return *it;
}

std::string string_field(const json& parent, const char* name, const std::string& where) {
  auto it = parent.find(name);
  if (it == parent.end() || !it->is_string()) {
    throw BadEvent(path_of(where, name) + ": expected a string");
  }
  return it->get<std::string>();
}

// An identifier written {"value": "..."}.
std::string id_field(const json& parent, const char* name, const std::string& where) {
  return string_field(object_field(parent, name, where), "value", path_of(where, name));
}

std::optional<std::string> optional_id(const json& parent, const char* name,
                                       const std::string& where) {
  if (!parent.contains(name)) return std::nullopt;
  return id_field(parent, name, where);
}

Event parse_subscribed(const json& event) {
  const json& body = object_field(event, "subscribed", "");
  SubscribedEvent out;
  out.framework_id = id_field(body, "framework_id", "subscribed");
  if (auto it = body.find("heartbeat_interval_seconds"); it != body.end()) {
    if (!it->is_number()) {
      throw BadEvent("subscribed.heartbeat_interval_seconds: expected a number");
    }
    const double secs = it->get<double>();
    // Zero, negative or absurd values fall back to the default.
    if (secs > 0 && secs < 1e6) out.heartbeat_interval = Duration::from_seconds(secs);
  }
  if (auto it = body.find("master_info"); it != body.end() && it->is_object()) {
    out.master_info = *it;
  }
  return out;
}

Event parse_offers(const json& event) {
  const json& body = object_field(event, "offers", "");
  OffersEvent out;
  if (auto it = body.find("offers"); it != body.end()) {
    if (!it->is_array()) throw BadEvent("offers.offers: expected an array");
    for (const auto& offer : *it) {
      if (!offer.is_object()) throw BadEvent("offers.offers: expected Offer objects");
      out.offers.push_back(offer);
    }
  }
  return out;
}

Event parse_message(const json& event) {
  const json& body = object_field(event, "message", "");
  MessageEvent out;
  out.agent_id = id_field(body, "agent_id", "message");
  out.executor_id = id_field(body, "executor_id", "message");
  if (body.contains("data")) {
    auto data = base64::decode(string_field(body, "data", "message"));
    if (!data.ok()) throw BadEvent("message.data: " + data.error());
    out.data = std::move(*data);
  }
  return out;
}

Event parse_failure(const json& event) {
  const json& body = object_field(event, "failure", "");
  FailureEvent out;
  out.agent_id = optional_id(body, "agent_id", "failure").value_or("");
  out.executor_id = optional_id(body, "executor_id", "failure");
  if (auto it = body.find("status"); it != body.end()) {
    if (!it->is_number_integer()) throw BadEvent("failure.status: expected an integer");
    out.status = it->get<int>();
  }
  if (out.agent_id.empty() && !out.executor_id) {
    throw BadEvent("failure: names neither an agent_id nor an executor_id");
  }
  return out;
}

Event parse(const json& event) {
  if (!event.is_object()) throw BadEvent("an event must be a JSON object");
  const std::string type = string_field(event, "type", "");
  if (type == "SUBSCRIBED") return parse_subscribed(event);
  if (type == "OFFERS") return parse_offers(event);
  if (type == "RESCIND") {
    return RescindEvent{id_field(object_field(event, "rescind", ""), "offer_id", "rescind")};
  }
  if (type == "UPDATE") {
    return UpdateEvent{object_field(object_field(event, "update", ""), "status", "update")};
  }
  if (type == "MESSAGE") return parse_message(event);
  if (type == "FAILURE") return parse_failure(event);
  if (type == "ERROR") {
    const json& body = object_field(event, "error", "");
    return ErrorEvent{body.contains("message") ? string_field(body, "message", "error") : ""};
  }
  if (type == "HEARTBEAT") return HeartbeatEvent{};
  return OtherEvent{type, event};
}

}  // namespace

Result<Event> parse_event(std::string_view record) {
  json event = json::parse(record, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) return Error("event is not valid JSON");
  try {
    return parse(event);
  } catch (const BadEvent& e) {
    return Error(std::string("malformed event: ") + e.what());
  } catch (const json::exception& e) {
    return Error(std::string("malformed event: ") + e.what());
  }
}

}  // namespace cairn::scheduler
