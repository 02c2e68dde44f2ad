// ports, and the rule that spans sections: the daemons' ports must differ,
// since a master, an agent and the admin router may share a host, and so
// must ZooKeeper's client port when ZooKeeper runs on cluster hosts (as it
// does when zookeeper.servers is left out).
#include <set>

#include "lib/spec/host_address.hpp"
#include "lib/spec/section_readers.hpp"
#include "lib/spec/spec_keys.hpp"

namespace cairn::spec {
namespace {

struct PortUse {
  std::string path;  // "ports.master"
  uint16_t port;
  YAML::Node at;  // undefined when the port is a default
};

bool zookeeper_shares_a_host(const ClusterSpec& spec) {
  if (spec.zookeeper.servers_from_masters) return true;
  std::set<std::string> hosts;
  for (const MasterEntry& m : spec.masters)
    hosts.insert(canonical_host(m.host));
  for (const AgentEntry& a : spec.agents)
    hosts.insert(canonical_host(a.host));
  for (const std::string& s : spec.zookeeper.servers) {
    if (hosts.contains(canonical_host(s))) return true;
  }
  return false;
}

YAML::Node value_at(const std::optional<Mapping>& map, std::string_view key) {
  return map ? map->get(key) : YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

void read_ports(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto ports = reader.section(top, "ports", Need::kOptional, keys_of("ports"),
                                    "a mapping with master, agent, router_http, router_https");
  PortsSection& p = spec.ports;
  const std::pair<std::string_view, uint16_t*> fields[] = {{"master", &p.master},
                                                           {"agent", &p.agent},
                                                           {"router_http", &p.router_http},
                                                           {"router_https", &p.router_https}};
  std::vector<PortUse> uses;
  if (zookeeper_shares_a_host(spec)) {
    if (const YAML::Node node = top.get("zookeeper"); node.IsMap()) {
      // Already checked by read_zookeeper; only the position is needed here.
      for (auto it = node.begin(); it != node.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "client_port") {
          uses.push_back({"zookeeper.client_port", spec.zookeeper.client_port, it->second});
        }
      }
    }
    if (uses.empty()) {
      uses.push_back({"zookeeper.client_port", spec.zookeeper.client_port,
                      YAML::Node(YAML::NodeType::Undefined)});
    }
  }
  for (const auto& [key, target] : fields) {
    if (ports) {
      if (auto port = reader.integer(*ports, key, "port", 1, 65535)) {
        *target = static_cast<uint16_t>(*port);
      }
    }
    uses.push_back({"ports." + std::string(key), *target, value_at(ports, key)});
  }

  for (size_t i = 0; i < uses.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (uses[i].port != uses[j].port) continue;
      // Report where the user wrote the port: the later one, else the earlier.
      const PortUse& written = uses[i].at.IsDefined() ? uses[i] : uses[j];
      const PortUse& other = &written == &uses[i] ? uses[j] : uses[i];
      reader.error(written.at.IsDefined() ? written.at : top.node(), written.path,
                   "port " + std::to_string(written.port) + " is also " + other.path +
                       (other.at.IsDefined() ? "" : " (its default)") +
                       " (expected a different port for each daemon: they may share a host)");
      break;
    }
  }
}

}  // namespace cairn::spec
