// ClusterSpec: the typed, validated form of /etc/cairn/cluster.yaml.
//
// One YAML file describes the whole cluster; the masters, agents, admin
// router and installer all read it and find their own part by host
// identity (host_identity.hpp). A ClusterSpec comes out of load_spec.hpp
// only for a spec that passed validation, so every field holds a valid
// value and every default is filled in: the ZooKeeper servers (one on each
// master unless listed), each master's advertised hostname (its host), each
// agent's hostname and work_dir (the cluster's). Field names follow the
// YAML keys; docs/cluster-spec.md documents each one. The derived values
// (quorum, ZooKeeper URL, --weights) are computed here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/resources/attributes.hpp"
#include "lib/resources/resources.hpp"
#include "lib/spec/semantic_version.hpp"
#include "lib/units/duration.hpp"

namespace cairn::spec {

struct ClusterSection {
  std::string name;
  SemanticVersion version;
  std::string work_dir = "/var/lib/cairn";
  std::string log_dir = "/var/log/cairn";
};

struct SshSection {
  std::string user = "root";
  uint16_t port = 22;
  std::string key_file;  // empty: ssh's own default
};

struct ZooKeeperSection {
  std::vector<std::string> servers;   // never empty once loaded
  bool servers_from_masters = false;  // true when `servers` was left out
  uint16_t client_port = 2181;
  std::string path = "/mesos";
  Duration session_timeout = Duration::seconds(10);
};

struct MasterEntry {
  std::string host;      // IP address or resolvable name
  std::string hostname;  // the name the master advertises; default: host
};

// The DC/OS node role of an agent (the YAML key `role`), not a Mesos role:
// a public agent offers its unreserved resources to the Mesos role
// slave_public instead of to everyone ("*").
enum class AgentRole { kPrivate, kPublic };

struct AgentEntry {
  std::string host;
  std::string hostname;  // default: host
  AgentRole role = AgentRole::kPrivate;
  std::optional<Resources> resources;  // absent: the agent detects its own
  Attributes attributes;
  std::string work_dir;  // default: cluster.work_dir

  // The Mesos role of the agent's unreserved resources (its --default_role).
  std::string default_mesos_role() const {
    return role == AgentRole::kPublic ? "slave_public" : "*";
  }
};

struct RoleEntry {
  std::string name;
  double weight = 1.0;
};

struct DockerSection {
  bool enabled = false;
  std::string socket = "/var/run/docker.sock";
};

// File paths below are as written, or resolved against the spec file's
// folder when relative.
struct TlsSection {
  bool enabled = false;
  std::string ca_cert;  // set when enabled
  std::string ca_key;   // set when enabled
};

struct AuthenticationSection {
  bool agents = false;
  bool frameworks = false;
  std::string credentials;  // set when agents or frameworks is true
};

struct SecuritySection {
  TlsSection tls;
  AuthenticationSection authentication;
  std::string acls;         // Mesos ACL JSON; empty: none
  std::string rate_limits;  // Mesos rate-limit JSON; empty: none
};

struct PortsSection {
  uint16_t master = 5050;
  uint16_t agent = 5051;
  uint16_t router_http = 80;
  uint16_t router_https = 443;
};

struct ClusterSpec {
  std::string api_version = "cairn/v1";
  ClusterSection cluster;
  SshSection ssh;
  ZooKeeperSection zookeeper;
  std::vector<MasterEntry> masters;  // 1, 3, 5 or 7
  std::vector<AgentEntry> agents;
  std::vector<RoleEntry> roles;
  DockerSection docker;
  SecuritySection security;
  PortsSection ports;

  // Masters that must agree (a majority): 1 of 1, 2 of 3, 3 of 5, 4 of 7.
  size_t quorum() const { return masters.size() / 2 + 1; }
  // ZooKeeper servers that must be up for the ensemble to serve.
  size_t zookeeper_quorum() const { return zookeeper.servers.size() / 2 + 1; }
  // zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos, as the
  // masters' --zk and the agents' --master take it (IPv6 in brackets).
  std::string zookeeper_url() const;
  size_t public_agent_count() const;
  size_t private_agent_count() const { return agents.size() - public_agent_count(); }
  // "prod=3,dev=1", as the master's --weights takes it; empty without roles.
  std::string weights_flag() const;
};

}  // namespace cairn::spec
