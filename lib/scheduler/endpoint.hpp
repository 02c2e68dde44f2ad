// Where scheduler calls go: the master's /api/v1/scheduler URL.
//
// scheduler_api_url() accepts the forms frameworks are given: "host:port",
// "host" (port 5050), "[::1]:5050", and "http(s)://host:port" with an
// optional path prefix ("https://router/mesos" reaches the master behind
// the admin router, as /mesos/api/v1/scheduler). resolve_redirect() follows
// the Location of a 307 from a master that is not leading, which Mesos
// writes scheme-relative ("//leader:5050/master/api/v1/scheduler"); absolute
// URLs and absolute paths on the same host are accepted too.
#pragma once

#include <string_view>

#include "lib/base/result.hpp"
#include "lib/http/url.hpp"

namespace cairn::scheduler {

inline constexpr uint16_t kDefaultMasterPort = 5050;

Result<http::Url> scheduler_api_url(std::string_view master);
Result<http::Url> resolve_redirect(const http::Url& from, std::string_view location);

}  // namespace cairn::scheduler
