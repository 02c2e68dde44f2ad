// The checks every Mesos v1 API endpoint (/api/v1, /api/v1/scheduler,
// /api/v1/executor) makes before parsing a call, in Mesos' order: POST only
// (405), a Content-Type (400), JSON (415: Cairn speaks the JSON encoding;
// protobuf bodies are refused with a message saying so), and an Accept that
// allows JSON (406). Streaming responses may be asked for as
// `Accept: application/recordio` with `Message-Accept: application/json`.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lib/http/message.hpp"

namespace cairn::http {

struct ApiCallFormat {
  // Content-Type for a plain response ("application/json").
  std::string response_type = "application/json";
  // True when the client asked for application/recordio (streamed events).
  bool recordio = false;
};

// The accepted format, or the error Response to send.
struct ApiCallCheck {
  std::optional<ApiCallFormat> format;
  Response error;
};

ApiCallCheck check_api_call(const Request& request);

// The client side: a v1 call as clients send it (POST, JSON in and out),
// with the Mesos-Stream-Id of the caller's subscription when it has one.
Request api_call_request(const nlohmann::json& call, const std::string& stream_id = "");

}  // namespace cairn::http
