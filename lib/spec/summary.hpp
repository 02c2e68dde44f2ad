// A short, human-readable summary of a valid spec, as `cairn spec validate`
// prints it: the cluster and version, the masters and their quorum, the
// ZooKeeper ensemble and URL, private and public agents, roles and
// weights, and whether Docker, TLS and authentication are on.
#pragma once

#include <string>

#include "lib/spec/cluster_spec.hpp"

namespace cairn::spec {

std::string summarize(const ClusterSpec& spec);

}  // namespace cairn::spec
