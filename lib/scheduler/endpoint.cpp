#include "lib/scheduler/endpoint.hpp"

#include <string>

namespace cairn::scheduler {

Result<http::Url> scheduler_api_url(std::string_view master) {
  if (master.empty()) return Error("no master given (expected host:port or http(s)://host:port)");
  std::string text(master);
  const bool has_scheme = text.find("://") != std::string::npos;
  if (has_scheme && !text.starts_with("http://") && !text.starts_with("https://")) {
    return Error("master '" + text +
                 "' is not supported: expected host:port or http(s)://host:port "
                 "(ZooKeeper URLs need a leader detector)");
  }
  if (!has_scheme) {
    if (text.find('/') != std::string::npos) {
      return Error("master '" + text + "' has a path but no scheme: write http://" + text);
    }
    // "host" or "[v6]" without a port gets Mesos' default.
    const bool v6 = text.starts_with("[");
    const size_t colon = text.rfind(':');
    const bool has_port = v6 ? text.find("]:") != std::string::npos : colon != std::string::npos;
    if (!has_port) text += ":" + std::to_string(kDefaultMasterPort);
    text = "http://" + text;
  }
  auto url = http::Url::parse(text);
  if (!url.ok()) return Error("master '" + std::string(master) + "': " + url.error());
  if (url->target.find('?') != std::string::npos) {
    return Error("master '" + std::string(master) + "' must not have a query");
  }
  std::string prefix = url->target;
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  url->target = prefix + "/api/v1/scheduler";
  return url;
}

Result<http::Url> resolve_redirect(const http::Url& from, std::string_view location) {
  if (location.empty()) return Error("redirect without a Location");
  std::string text(location);
  if (text.starts_with("//")) {
    text = from.scheme + ":" + text;
  } else if (text.starts_with("/")) {
    text = from.scheme + "://" + from.authority() + text;
  }
  auto url = http::Url::parse(text);
  if (!url.ok())
    return Error("cannot follow redirect to '" + std::string(location) + "': " + url.error());
  return url;
}

}  // namespace cairn::scheduler
