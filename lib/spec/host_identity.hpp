// Host identity: which entries of the spec describe this machine.
//
// Every daemon reads the same cluster spec and finds its own part by
// matching the `host` and `hostname` of each master and agent entry against
// this machine's addresses and names (local_identities()). Addresses match
// in canonical form ("fd00::1" equals "fd00:0::1"), names without regard to
// case or a trailing dot. A machine may be both a master and an agent (a
// single-machine cluster) or neither (a machine that only runs the CLI).
// Two entries of one list matching the same machine is an error: the
// daemon could not tell which one it is.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/spec/cluster_spec.hpp"

namespace cairn::spec {

struct HostRoles {
  std::optional<size_t> master;  // index into ClusterSpec::masters
  std::optional<size_t> agent;   // index into ClusterSpec::agents

  bool empty() const { return !master && !agent; }
};

Result<HostRoles> find_host_roles(const ClusterSpec& spec, std::span<const std::string> identities);

// This machine's interface addresses (getifaddrs), its host name and that
// name's canonical form (getaddrinfo with AI_CANONNAME, which may consult
// DNS), sorted and without repeats.
std::vector<std::string> local_identities();

// The first non-loopback IPv4 address of this machine, or 127.0.0.1: what a
// daemon listening on 0.0.0.0 advertises when not told otherwise.
std::string first_ipv4_address();

}  // namespace cairn::spec
