#include "cli/blocking_client.hpp"

#include <future>

#include "lib/event/event_loop.hpp"
#include "lib/http/client.hpp"

namespace cairn::cli {

struct BlockingClient::Impl {
  EventLoop loop;
  std::unique_ptr<http::Client> client;
};

BlockingClient::BlockingClient(Duration timeout) : impl_(std::make_unique<Impl>()) {
  impl_->loop.start_thread();
  http::ClientOptions options;
  options.request_timeout = timeout;
  options.connect_timeout = timeout;
  impl_->loop.call([&] { impl_->client = std::make_unique<http::Client>(impl_->loop, options); });
}

BlockingClient::~BlockingClient() {
  impl_->loop.call([&] { impl_->client.reset(); });
  impl_->loop.stop();
  impl_->loop.join();
}

Result<http::Response> BlockingClient::send(const std::string& url, http::Request request) {
  Result<http::Url> parsed = http::Url::parse(url);
  if (!parsed.ok()) return Error("bad URL " + url + ": " + parsed.error());
  std::promise<Result<http::Response>> done;
  impl_->loop.post([&] {
    impl_->client->send(*parsed, std::move(request), [&](Result<http::Response> r) { done.set_value(std::move(r)); });
  });
  Result<http::Response> response = done.get_future().get();
  if (!response.ok()) return Error(url + ": " + response.error());
  return response;
}

Result<http::Response> BlockingClient::get(const std::string& url) {
  http::Request request;
  request.method = "GET";
  return send(url, std::move(request));
}

Result<http::Response> BlockingClient::post_json(const std::string& url, const nlohmann::json& body) {
  http::Request request;
  request.method = "POST";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  request.body = body.dump();
  return send(url, std::move(request));
}

Result<nlohmann::json> BlockingClient::get_json(const std::string& url) {
  Result<http::Response> response = get(url);
  if (!response.ok()) return Error(response.error());
  if (response->status != 200) {
    return Error(url + " answered " + std::to_string(response->status) + ": " + response->body);
  }
  nlohmann::json json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded()) return Error(url + " did not return JSON");
  return json;
}

}  // namespace cairn::cli
