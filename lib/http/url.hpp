// URLs for the HTTP client and query strings for the server.
//
// Url::parse accepts "http://host:port/path?query" and "https://..." with
// IPv6 literals in brackets; the port defaults to 80/443. Percent-decoding
// and encoding follow RFC 3986; '+' in a query means a space.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::http {

struct Url {
  std::string scheme = "http";  // "http" or "https"
  std::string host;             // without brackets for IPv6
  uint16_t port = 80;
  std::string target = "/";  // path and query, as sent on the request line

  static Result<Url> parse(std::string_view text);
  bool tls() const { return scheme == "https"; }
  // "host:port", with brackets around IPv6 hosts.
  std::string authority() const;
  std::string to_string() const;
};

Result<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);

// Splits "a=1&b=x%20y" into decoded pairs; a repeated key keeps its last value.
Result<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace cairn::http
