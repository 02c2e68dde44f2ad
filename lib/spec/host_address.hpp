// Host addresses in a cluster spec: what a `host` value may be.
//
// A host is an IPv4 address (10.0.0.11), an IPv6 address without brackets
// (fd00::11), or a DNS name (m1.example.com, RFC 1123 letters, digits and
// hyphens). classify_host() tells which, or says exactly what is wrong with
// the text (a port or brackets included, an IPv4 address out of range, a bad
// label). Whether a name resolves is a separate, injectable step: the
// default, resolve_with_getaddrinfo(), asks the system resolver.
// canonical_host() gives the form used to compare hosts: IP addresses in
// their standard text form ("fd00::11" for "fd00:0::11"), names in lower
// case without a trailing dot.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::spec {

enum class HostKind { kIPv4, kIPv6, kName };

// The error message reads after the key path: "masters[0].host: <message>".
Result<HostKind> classify_host(std::string_view host);

bool is_ip_address(std::string_view host);

std::string canonical_host(std::string_view host);

// OK when getaddrinfo() finds at least one address for `name`.
Status resolve_with_getaddrinfo(const std::string& name);

}  // namespace cairn::spec
