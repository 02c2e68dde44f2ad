// A short human-readable summary of a valid spec, as `cairn spec validate`
// prints it: cluster, masters and quorum, ZooKeeper, agents, roles, and
// which of Docker, TLS and authentication are on.
#pragma once

#include <string>

#include "lib/spec/cluster_spec.hpp"

namespace cairn::spec {

std::string summarize(const ClusterSpec& spec);

}  // namespace cairn::spec
