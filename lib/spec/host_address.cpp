// IP literals are recognised with inet_pton() (the same parser the daemons
// bind with); everything else is checked label by label against RFC 1123 so
// that the error can name the offending label.
#include "lib/spec/host_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "lib/base/ascii.hpp"
#include "lib/spec/diagnostic.hpp"

namespace cairn::spec {
namespace {

constexpr std::string_view kExpected =
    "expected an IPv4 address such as 10.0.0.11, an IPv6 address such as fd00::11, or a host "
    "name such as m1.example.com";

bool parses_as(int family, std::string_view host) {
  if (host.size() > INET6_ADDRSTRLEN || host.find('\0') != std::string_view::npos) return false;
  const std::string text(host);
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(family, text.c_str(), buffer) == 1;
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

Error bad(std::string_view host, const std::string& problem) {
  return Error(problem + " (got " + quote_value(host) + "; " + std::string(kExpected) + ")");
}

}  // namespace

Result<HostKind> classify_host(std::string_view host) {
  if (host.empty()) return Error("is empty (" + std::string(kExpected) + ")");
  if (parses_as(AF_INET, host)) return HostKind::kIPv4;
  if (parses_as(AF_INET6, host)) return HostKind::kIPv6;

  if (host.front() == '[') {
    return bad(host, "is not a host: write IPv6 addresses without brackets and without a port");
  }
  const size_t colons = static_cast<size_t>(std::count(host.begin(), host.end(), ':'));
  if (colons == 1 && all_digits(host.substr(host.find(':') + 1))) {
    return bad(host, "is not a host: it has a port (ports are set under 'ports:')");
  }
  if (colons > 0) return bad(host, "is not a valid IPv6 address");

  std::string_view name = host;
  if (name.back() == '.') name.remove_suffix(1);  // a fully qualified "example.com."
  if (name.empty()) return bad(host, "is not a valid host name: it has an empty label");
  if (name.size() > 253) return bad(host, "is longer than 253 characters");

  // RFC 1123: a name's last label is never all digits, so this was meant as
  // an IPv4 address.
  const size_t last_dot = name.rfind('.');
  const std::string_view last =
      last_dot == std::string_view::npos ? name : name.substr(last_dot + 1);
  if (all_digits(last)) {
    return bad(host, "is not a valid IPv4 address: it needs four numbers 0..255 separated by dots");
  }

  size_t start = 0;
  while (start <= name.size()) {
    const size_t dot = std::min(name.find('.', start), name.size());
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty()) return bad(host, "is not a valid host name: it has an empty label");
    if (label.size() > 63) {
      return bad(host, "is not a valid host name: a label is longer than 63 characters");
    }
    for (const char ch : label) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (!std::isalnum(c) && c != '-') {
        return bad(host,
                   "is not a valid host name: it may only contain letters, digits, '-' "
                   "and '.'");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return bad(host, "is not a valid host name: a label may not start or end with '-'");
    }
    start = dot + 1;
  }
  return HostKind::kName;
}

bool is_ip_address(std::string_view host) {
  return parses_as(AF_INET, host) || parses_as(AF_INET6, host);
}

std::string canonical_host(std::string_view host) {
  for (const int family : {AF_INET, AF_INET6}) {
    if (!parses_as(family, host)) continue;
    const std::string text(host);
    unsigned char buffer[sizeof(in6_addr)];
    char out[INET6_ADDRSTRLEN] = {};
    if (inet_pton(family, text.c_str(), buffer) == 1 &&
        inet_ntop(family, buffer, out, sizeof out) != nullptr) {
      return out;
    }
  }
  std::string name = ascii_lower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

Status resolve_with_getaddrinfo(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (rc != 0) return Error(gai_strerror(rc));
  freeaddrinfo(found);
  return ok_status();
}

}  // namespace cairn::spec
