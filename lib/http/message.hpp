// HTTP requests and responses as plain values.
//
// Handlers, clients and tests see only these types; Boost.Beast stays inside
// server.cpp and client.cpp so that ordinary translation units compile fast.
// Header names compare case-insensitively and keep their order.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::http {

class Headers {
 public:
  // First value of the header, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every value of the header.
  void set(std::string_view name, std::string value);
  // Appends another value (e.g. Set-Cookie).
  void add(std::string_view name, std::string value);
  void remove(std::string_view name);

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

bool iequals(std::string_view a, std::string_view b);

struct Request {
  std::string method = "GET";
  // Path and query as sent ("/master/tasks?limit=10"); `path` is its decoded
  // path part and `query` its decoded parameters.
  std::string target = "/";
  std::string path = "/";
  std::map<std::string, std::string> query;
  Headers headers;
  std::string body;

  // Filled in by the server.
  std::string remote_address;  // "ip:port"
  bool tls = false;
  std::string peer_certificate_subject;  // verified client certificate, if any
  bool keep_alive = true;

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
  // Query parameter, if present.
  std::optional<std::string> param(const std::string& name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  Response() = default;
  Response(int status_code, std::string content_type, std::string content)
      : status(status_code), body(std::move(content)) {
    if (!content_type.empty()) headers.set("Content-Type", std::move(content_type));
  }
};

// Standard reason phrase ("Not Found") for a status code.
std::string_view reason_phrase(int status);

// Plain text response; a trailing newline is added when missing.
Response text_response(int status, std::string text);

}  // namespace cairn::http
