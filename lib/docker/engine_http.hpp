// One blocking HTTP/1.1 exchange with the Docker engine over its unix socket.
//
// Internal to lib/docker: DockerClient builds requests and reads answers
// through perform(), the only code that touches libcurl. Every call uses a
// fresh curl handle, so calls from several threads at once are safe. A
// request may stream its response body (logs, image pulls) to a callback and
// may be stopped early by its keep_going() poll; a non-2xx response is always
// collected whole so that the engine's {"message": "..."} can be reported.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/duration.hpp"

namespace cairn::docker::detail {

struct EngineRequest {
  std::string method = "GET";
  std::string target;  // path and query: "/v1.41/containers/json?all=1"
  std::string body;
  std::string content_type = "application/json";
  std::string upload_path;           // when set, the request body is this file
  std::vector<std::string> headers;  // extra "Name: value" lines
  Duration timeout;                  // the whole exchange; zero: no limit
  // Body bytes of a 2xx response as they arrive (instead of collecting
  // them); returning false ends the exchange.
  std::function<bool(std::string_view)> on_data;
  // Polled while waiting (about once a second at least); false ends the
  // exchange.
  std::function<bool()> keep_going;
  size_t max_body_bytes = 64 * 1024 * 1024;
};

struct EngineResponse {
  long status = 0;
  std::string body;      // empty when a 2xx body went to on_data
  bool stopped = false;  // on_data or keep_going ended the exchange early
};

// Errors say which engine could not be reached or what went wrong on the
// wire; HTTP error statuses are not errors here (see engine_message()).
Result<EngineResponse> perform(const std::string& socket_path, Duration connect_timeout,
                               const EngineRequest& request);

// The engine's explanation of a failed response: the "message" field of its
// JSON body, else the body text itself, else "HTTP <status>".
std::string engine_message(const EngineResponse& response);

}  // namespace cairn::docker::detail
