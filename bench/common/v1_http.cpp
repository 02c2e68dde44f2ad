#include "bench/common/v1_http.hpp"

#include <cctype>

namespace cairn::bench {

std::string short_body(const std::string& body) {
  std::string out = body.substr(0, 200);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())))
    out.pop_back();
  return out;
}

bool read_events(recordio::Decoder& decoder, std::string_view data,
                 const std::function<void(const nlohmann::json&)>& on_event,
                 const std::function<void(const std::string&)>& on_bad) {
  if (!decoder.feed(data).ok()) return false;
  while (auto record = decoder.next()) {
    nlohmann::json event = nlohmann::json::parse(*record, nullptr, false);
    if (!event.is_object()) {
      on_bad("unparsable event: " + record->substr(0, 200));
      continue;
    }
    try {
      on_event(event);
    } catch (const nlohmann::json::exception& e) {
      on_bad(std::string("malformed event (") + e.what() + "): " + record->substr(0, 200));
    }
  }
  return true;
}

}  // namespace cairn::bench
