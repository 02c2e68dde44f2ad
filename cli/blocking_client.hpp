// BlockingClient: synchronous HTTP calls for the `cairn` command, over
// lib/http's asynchronous client running on a loop thread of its own.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "lib/base/result.hpp"
#include "lib/http/message.hpp"
#include "lib/units/duration.hpp"

namespace cairn::cli {

class BlockingClient {
 public:
  explicit BlockingClient(Duration timeout = Duration::seconds(10));
  ~BlockingClient();
  Result<http::Response> get(const std::string& url);
  Result<http::Response> post_json(const std::string& url, const nlohmann::json& body);
  Result<http::Response> send(const std::string& url, http::Request request);
  // GET returning JSON; errors name the URL and the status.
  Result<nlohmann::json> get_json(const std::string& url);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::cli
