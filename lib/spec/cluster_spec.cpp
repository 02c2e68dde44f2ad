#include "lib/spec/cluster_spec.hpp"

#include <algorithm>
#include <charconv>

namespace cairn::spec {
namespace {

// Shortest text that reads back as the same double: 3, 2.5, 0.1.
std::string shortest(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

}  // namespace

std::string ClusterSpec::zookeeper_url() const {
  std::string url = "zk://";
  for (size_t i = 0; i < zookeeper.servers.size(); ++i) {
    if (i > 0) url += ',';
    const std::string& host = zookeeper.servers[i];
    url += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    url += ":" + std::to_string(zookeeper.client_port);
  }
  return url + zookeeper.path;
}

size_t ClusterSpec::public_agent_count() const {
  return static_cast<size_t>(std::count_if(agents.begin(), agents.end(), [](const AgentEntry& a) {
    return a.role == AgentRole::kPublic;
  }));
}

std::string ClusterSpec::weights_flag() const {
  std::string out;
  for (const RoleEntry& r : roles) {
    if (!out.empty()) out += ',';
    out += r.name + "=" + shortest(r.weight);
  }
  return out;
}

}  // namespace cairn::spec
