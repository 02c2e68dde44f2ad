#include "lib/spec/cluster_spec.hpp"

#include <algorithm>

#include "lib/units/number.hpp"

namespace cairn::spec {

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

size_t ClusterSpec::public_agents() const {
  return static_cast<size_t>(std::count_if(agents.begin(), agents.end(), [](const AgentSpec& a) {
    return a.role == AgentRole::kPublic;
  }));
}

std::string ClusterSpec::weights_flag() const {
  std::string out;
  for (const RoleSpec& r : roles) {
    if (!out.empty()) out += ',';
    out += r.name + "=" + format_number(r.weight);
  }
  return out;
}

}  // namespace cairn::spec
