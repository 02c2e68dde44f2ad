#include "lib/http/api_call.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "lib/base/ascii.hpp"
namespace cairn::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// The media type without parameters: "application/json; charset=utf-8" -> "application/json".
std::string media_type(std::string_view value) {
  return ascii_lower(trim(value.substr(0, value.find(';'))));
}

// Media ranges of an Accept header with q > 0.
std::vector<std::string> accepted(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::string range = media_type(item);
    // "q=0" means "not acceptable"; any other weight accepts.
    bool refused = false;
    const std::string params = ascii_lower(item.substr(std::min(item.size(), item.find(';'))));
    for (size_t q = params.find("q="); q != std::string::npos; q = params.find("q=", q + 2)) {
      if (q > 0 && params[q - 1] != ';' && params[q - 1] != ' ') continue;
      refused = std::strtod(params.c_str() + q + 2, nullptr) <= 0.0;
    }
    if (!range.empty() && !refused) out.push_back(range);
  }
  return out;
}

bool allows(const std::vector<std::string>& ranges, const std::string& type) {
  const std::string family = type.substr(0, type.find('/')) + "/*";
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const std::string& r) { return r == type || r == "*/*" || r == family; });
}

ApiCallCheck fail(int status, std::string message) {
  return {std::nullopt, text_response(status, std::move(message))};
}

}  // namespace

ApiCallCheck check_api_call(const Request& request) {
  if (request.method != "POST") {
    ApiCallCheck c = fail(405, "Expecting 'POST', received '" + request.method + "'");
    c.error.headers.set("Allow", "POST");
    return c;
  }
  auto content_type = request.header("Content-Type");
  if (!content_type) return fail(400, "Expecting 'Content-Type' to be present");
  const std::string type = media_type(*content_type);
  if (type == "application/x-protobuf") {
    return fail(415,
                "Cairn speaks the Mesos v1 API with JSON only; send the call as "
                "'Content-Type: application/json'");
  }
  if (type != "application/json") {
    return fail(415, "Expecting 'Content-Type' of application/json (got '" +
                         std::string(*content_type) + "')");
  }
  ApiCallFormat format;
  auto accept = request.header("Accept");
  if (!accept || trim(*accept).empty()) return {format, {}};
  const auto ranges = accepted(*accept);
  if (std::find(ranges.begin(), ranges.end(), "application/recordio") != ranges.end()) {
    auto message_accept = request.header("Message-Accept");
    if (message_accept && !allows(accepted(*message_accept), "application/json")) {
      return fail(406, "Expecting 'Message-Accept' to allow application/json (got '" +
                           std::string(*message_accept) + "')");
    }
    format.recordio = true;
    format.response_type = "application/recordio";
    return {format, {}};
  }
  if (!allows(ranges, "application/json")) {
    return fail(
        406, "Expecting 'Accept' to allow application/json (got '" + std::string(*accept) + "')");
  }
  return {format, {}};
}

Request api_call_request(const nlohmann::json& call, const std::string& stream_id) {
  Request request;
  request.method = "POST";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  if (!stream_id.empty()) request.headers.set("Mesos-Stream-Id", stream_id);
  request.body = call.dump();
  return request;
}

}  // namespace cairn::http
