// ClusterSpec: the typed, validated form of /etc/cairn/cluster.yaml.
//
// One YAML file describes the whole cluster; the master, agent, admin router
// and installer all read it and find their own part by host identity
// (host_identity.hpp). A ClusterSpec only exists for a spec that passed
// validation (load_spec.hpp): every field is set, defaults filled in, and
// derived values (quorum, ZooKeeper ensemble and URL) computed here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/resources/attributes.hpp"
#include "lib/resources/resources.hpp"
#include "lib/units/duration.hpp"

namespace cairn::spec {

struct SshSpec {
  std::string user = "root";
  uint16_t port = 22;
  std::string key_file;  // empty: ssh's own default
};

struct ZooKeeperSpec {
  // Empty in the file means "one server on each master"; ClusterSpec fills
  // it in, so after loading it is never empty.
  std::vector<std::string> servers;
  uint16_t client_port = 2181;
  std::string path = "/mesos";
  Duration session_timeout = Duration::seconds(10);
  bool servers_derived = false;  // true when taken from the masters
};

struct MasterSpec {
  std::string host;      // IP address or resolvable name
  std::string hostname;  // advertised name; empty: same as host
};

enum class AgentRole { kPrivate, kPublic };

struct AgentSpec {
  std::string host;
  std::string hostname;
  AgentRole role = AgentRole::kPrivate;
  std::optional<Resources> resources;  // empty: the agent detects its own
  std::string resources_text;
  Attributes attributes;
  std::string attributes_text;
  std::string work_dir;  // empty: cluster.work_dir

  // Role under which the agent offers unreserved resources.
  std::string default_role() const { return role == AgentRole::kPublic ? "slave_public" : "*"; }
};

struct RoleSpec {
  std::string name;
  double weight = 1.0;
};

struct DockerSpec {
  bool enabled = false;
  std::string socket = "/var/run/docker.sock";
};

struct TlsSpec {
  bool enabled = false;
  std::string ca_cert;
  std::string ca_key;
};

struct AuthenticationSpec {
  bool agents = false;
  bool frameworks = false;
  std::string credentials;
};

struct SecuritySpec {
  TlsSpec tls;
  AuthenticationSpec authentication;
  std::string acls;         // path to Mesos ACL JSON; empty: none
  std::string rate_limits;  // path to Mesos rate-limit JSON; empty: none
};

struct PortsSpec {
  uint16_t master = 5050;
  uint16_t agent = 5051;
  uint16_t router_http = 80;
  uint16_t router_https = 443;
};

struct ClusterSpec {
  std::string api_version = "cairn/v1";
  std::string name;
  std::string version;
  std::string work_dir = "/var/lib/cairn";
  std::string log_dir = "/var/log/cairn";
  SshSpec ssh;
  ZooKeeperSpec zookeeper;
  std::vector<MasterSpec> masters;
  std::vector<AgentSpec> agents;
  std::vector<RoleSpec> roles;
  DockerSpec docker;
  SecuritySpec security;
  PortsSpec ports;

  // Masters needed to agree (a majority): 1 of 1, 2 of 3, 3 of 5, 4 of 7.
  size_t quorum() const { return masters.size() / 2 + 1; }
  // ZooKeeper servers that must be up for the ensemble to serve.
  size_t zookeeper_quorum() const { return zookeeper.servers.size() / 2 + 1; }
  // zk://h1:2181,h2:2181,h3:2181/mesos, as --zk and --master take it.
  std::string zookeeper_url() const;
  size_t public_agents() const;
  size_t private_agents() const { return agents.size() - public_agents(); }
  // "dev=1,prod=3", as --weights takes it; empty when no role is declared.
  std::string weights_flag() const;
};

}  // namespace cairn::spec
