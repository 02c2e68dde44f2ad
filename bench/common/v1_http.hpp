// The Mesos v1 HTTP API in raw JSON, as the benches' clients speak it (the
// failover bench's re-registering agents and both benches' frameworks): a
// call is a POST of a JSON body, carrying the Mesos-Stream-Id of the event
// stream it belongs to once there is one, and the event stream is RecordIO
// of JSON objects. Written out here, not through lib/scheduler, because the
// benches measure the master as a third-party client sees it.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "lib/http/api_call.hpp"  // api_call_request: a call as clients POST it
#include "lib/http/client.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::bench {

// The start of a refusal's body, fit for a one-line message.
std::string short_body(const std::string& body);

// Feeds `data` to `decoder` and hands each event it completes to `on_event`;
// a record that is not a JSON object, or that `on_event` cannot read (a
// nlohmann::json exception), goes to `on_bad` with a description. False
// when the RecordIO framing itself is malformed.
bool read_events(recordio::Decoder& decoder, std::string_view data,
                 const std::function<void(const nlohmann::json&)>& on_event,
                 const std::function<void(const std::string&)>& on_bad);

}  // namespace cairn::bench
