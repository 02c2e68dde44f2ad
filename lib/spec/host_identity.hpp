// Host identity: which entries of the spec describe this machine.
//
// Every daemon reads the same cluster spec and finds its own part by
// matching the spec's `host` and `hostname` values against the machine's
// addresses and names. A machine may be both a master and an agent (a
// single-machine cluster); flags such as --ip pick one address when a host
// has several.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/spec/cluster_spec.hpp"

namespace cairn::spec {

struct HostRoles {
  std::optional<size_t> master;  // index into ClusterSpec::masters
  std::optional<size_t> agent;   // index into ClusterSpec::agents
};

HostRoles find_host(const ClusterSpec& spec, const std::vector<std::string>& identities);

// This machine's interface addresses (getifaddrs) and its host names.
std::vector<std::string> local_identities();

}  // namespace cairn::spec
