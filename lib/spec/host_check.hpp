// Host names and addresses in a cluster spec: IP literals are accepted as
// they are; anything else must be a valid DNS name (RFC 1123) that resolves.
#pragma once

#include <functional>
#include <string>

namespace cairn::spec {

bool is_ip_literal(const std::string& host);
bool is_dns_name(const std::string& host);
// getaddrinfo(); true when the name has at least one address.
bool resolves(const std::string& host);

}  // namespace cairn::spec
