#include "lib/spec/spec_keys.hpp"

#include <array>

namespace cairn::spec {
namespace {

struct Section {
  std::string_view name;
  std::span<const std::string_view> keys;
};

constexpr std::string_view kTop[] = {"apiVersion", "cluster", "ssh",    "zookeeper", "masters",
                                     "agents",     "roles",   "docker", "security",  "ports"};
constexpr std::string_view kCluster[] = {"name", "version", "work_dir", "log_dir"};
constexpr std::string_view kSsh[] = {"user", "port", "key_file"};
constexpr std::string_view kZooKeeper[] = {"servers", "client_port", "path", "session_timeout"};
constexpr std::string_view kMaster[] = {"host", "hostname"};
constexpr std::string_view kAgent[] = {"host",      "hostname",   "role",
                                       "resources", "attributes", "work_dir"};
constexpr std::string_view kRole[] = {"name", "weight"};
constexpr std::string_view kDocker[] = {"enabled", "socket"};
constexpr std::string_view kSecurity[] = {"tls", "authentication", "acls", "rate_limits"};
constexpr std::string_view kTls[] = {"enabled", "ca_cert", "ca_key"};
constexpr std::string_view kAuthentication[] = {"agents", "frameworks", "credentials"};
constexpr std::string_view kPorts[] = {"master", "agent", "router_http", "router_https"};

constexpr std::array kSections = {
    Section{"", kTop},
    Section{"cluster", kCluster},
    Section{"ssh", kSsh},
    Section{"zookeeper", kZooKeeper},
    Section{"masters[]", kMaster},
    Section{"agents[]", kAgent},
    Section{"roles[]", kRole},
    Section{"docker", kDocker},
    Section{"security", kSecurity},
    Section{"security.tls", kTls},
    Section{"security.authentication", kAuthentication},
    Section{"ports", kPorts},
};

}  // namespace

std::span<const std::string_view> keys_of(std::string_view section) {
  for (const Section& s : kSections) {
    if (s.name == section) return s.keys;
  }
  return {};
}

std::vector<std::string> known_key_paths() {
  std::vector<std::string> out;
  for (const Section& s : kSections) {
    for (std::string_view key : s.keys) {
      out.push_back(s.name.empty() ? std::string(key)
                                   : std::string(s.name) + "." + std::string(key));
    }
  }
  return out;
}

}  // namespace cairn::spec
