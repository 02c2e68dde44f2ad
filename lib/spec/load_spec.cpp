// How a spec is read: yaml-cpp parses the text (its exceptions stay in this
// file); SpecReader walks the known structure once, filling a ClusterSpec
// and recording a Diagnostic for every problem instead of stopping at the
// first; cross-field rules (counts, duplicates, ports) run after the walk.
#include "lib/spec/load_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "lib/base/suggest.hpp"
#include "lib/resources/role.hpp"
#include "lib/spec/host_check.hpp"
#include "lib/spec/mesos_files.hpp"

namespace cairn::spec {
namespace {

// The keys of every mapping, by section. The one list both the reader and
// known_key_paths() (and so the schema test) use.
const std::map<std::string, std::vector<std::string>>& sections() {
  static const std::map<std::string, std::vector<std::string>> kSections = {
      {"",
       {"apiVersion", "cluster", "ssh", "zookeeper", "masters", "agents", "roles", "docker",
        "security", "ports"}},
      {"cluster", {"name", "version", "work_dir", "log_dir"}},
      {"ssh", {"user", "port", "key_file"}},
      {"zookeeper", {"servers", "client_port", "path", "session_timeout"}},
      {"masters[]", {"host", "hostname"}},
      {"agents[]", {"host", "hostname", "role", "resources", "attributes", "work_dir"}},
      {"roles[]", {"name", "weight"}},
      {"docker", {"enabled", "socket"}},
      {"security", {"tls", "authentication", "acls", "rate_limits"}},
      {"security.tls", {"enabled", "ca_cert", "ca_key"}},
      {"security.authentication", {"agents", "frameworks", "credentials"}},
      {"ports", {"master", "agent", "router_http", "router_https"}},
  };
  return kSections;
}

constexpr size_t kMaxListLength = 50000;

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// What a node is, for "(got X; ...)".
std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar: {
      std::string s = node.Scalar();
      if (s.size() > 60) s = s.substr(0, 57) + "...";
      return "'" + s + "'";
    }
    default:
      return "nothing";
  }
}

class SpecReader {
 public:
  SpecReader(std::string file, const ValidationOptions& options, std::vector<Diagnostic>& out)
      : file_(std::move(file)), options_(options), out_(out) {}

  void read(const YAML::Node& root, ClusterSpec& spec);

 private:
  // --- reporting --------------------------------------------------------
  void error(const YAML::Mark& at, const std::string& path, std::string message) {
    out_.push_back({file_, at.is_null() ? 1 : at.line + 1, at.is_null() ? 1 : at.column + 1, path,
                    std::move(message)});
  }
  void error(const YAML::Node& at, const std::string& path, std::string message) {
    error(at.Mark(), path, std::move(message));
  }

  // --- structure --------------------------------------------------------
  // True when `node` is a mapping; reports unknown and repeated keys.
  bool mapping(const YAML::Node& node, const std::string& path, const std::string& section) {
    if (!node.IsMap()) {
      error(node, path, "must be a mapping of keys (got " + describe(node) + ")");
      return false;
    }
    const auto& allowed = sections().at(section);
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : describe(it->first);
      if (!seen.insert(key).second) {
        error(it->first, join(path, key), "key is given more than once (keep one)");
      }
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string message = "unknown key";
        if (auto guess = closest_match(key, allowed)) {
          message += " (did you mean '" + *guess + "'?)";
        } else {
          message += " (expected one of: ";
          for (size_t i = 0; i < allowed.size(); ++i)
            message += (i ? ", " : "") + allowed[i];
          message += ")";
        }
        error(it->first, join(path, key), message);
      }
    }
    return true;
  }

  // The value under `key`, or an Undefined node. (yaml-cpp returns an
  // "invalid" node for a missing key, on which most calls throw.)
  static YAML::Node child(const YAML::Node& map, const std::string& key) {
    if (map.IsMap()) {
      YAML::Node value = map[key];
      if (value.IsDefined()) return value;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  // A present, non-null value; reports a missing required key at `parent`.
  bool present(const YAML::Node& parent, const YAML::Node& value, const std::string& path,
               bool required, const std::string& what) {
    if (value.IsDefined() && !value.IsNull()) return true;
    if (required) {
      if (value.IsDefined()) {
        error(value, path, "needs a value (expected " + what + ")");
      } else {
        error(parent, path, "is required (expected " + what + ")");
      }
    }
    return false;
  }

  // --- typed values -------------------------------------------------------
  bool string_value(const YAML::Node& parent, const std::string& key, const std::string& path,
                    bool required, const std::string& what, std::string& out) {
    const YAML::Node value = child(parent, key);
    const std::string p = join(path, key);
    if (!present(parent, value, p, required, what)) return false;
    if (!value.IsScalar()) {
      error(value, p, "must be text (got " + describe(value) + "; expected " + what + ")");
      return false;
    }
    out = value.Scalar();
    return true;
  }

  bool port_value(const YAML::Node& parent, const std::string& key, const std::string& path,
                  uint16_t& out) {
    const YAML::Node value = child(parent, key);
    const std::string p = join(path, key);
    if (!present(parent, value, p, false, "")) return false;
    unsigned port = 0;
    const std::string text = value.IsScalar() ? value.Scalar() : "";
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (!value.IsScalar() || ec != std::errc() || end != text.data() + text.size() || port == 0 ||
        port > 65535) {
      error(value, p, "is not a valid port (got " + describe(value) + "; expected 1..65535)");
      return false;
    }
    out = static_cast<uint16_t>(port);
    return true;
  }

  bool bool_value(const YAML::Node& parent, const std::string& key, const std::string& path,
                  bool& out) {
    const YAML::Node value = child(parent, key);
    const std::string p = join(path, key);
    if (!present(parent, value, p, false, "")) return false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, out)) {
      error(value, p, "must be true or false (got " + describe(value) + ")");
      return false;
    }
    return true;
  }

  // A list; null or absent gives an empty list.
  bool list_value(const YAML::Node& parent, const std::string& key, const std::string& path,
                  bool required, const std::string& what, YAML::Node& out) {
    const YAML::Node value = child(parent, key);
    const std::string p = join(path, key);
    if (!present(parent, value, p, required, what)) return false;
    if (!value.IsSequence()) {
      error(value, p, "must be a list (got " + describe(value) + "; expected " + what + ")");
      return false;
    }
    if (value.size() > kMaxListLength) {
      error(value, p,
            "has " + std::to_string(value.size()) + " entries (expected at most " +
                std::to_string(kMaxListLength) + ")");
      return false;
    }
    out = value;
    return true;
  }

  // --- value rules ---------------------------------------------------------
  bool check_host(const YAML::Node& parent, const std::string& key, const std::string& path,
                  std::string& out) {
    if (!string_value(parent, key, path, true, "an IP address or host name", out)) return false;
    return host_is_valid(child(parent, key), join(path, key), out);
  }

  // An IP literal, or a DNS name that resolves.
  bool host_is_valid(const YAML::Node& at, const std::string& path, const std::string& host) {
    if (is_ip_literal(host)) return true;
    if (!is_dns_name(host)) {
      error(at, path,
            "is not an IP address or host name (got '" + host +
                "'; expected e.g. 10.0.0.11 or m1.example.com)");
      return false;
    }
    if (!(options_.resolve ? options_.resolve(host) : resolves(host))) {
      error(at, path,
            "host name does not resolve (got '" + host +
                "'; expected a name in DNS or /etc/hosts, or an IP address)");
      return false;
    }
    return true;
  }

  void check_hostname(const YAML::Node& parent, const std::string& path, std::string& out) {
    if (!string_value(parent, "hostname", path, false, "a host name", out)) return;
    if (!is_dns_name(out) && !is_ip_literal(out)) {
      error(child(parent, "hostname"), join(path, "hostname"),
            "is not a valid host name (got '" + out + "'; expected e.g. m1.example.com)");
    }
  }

  void check_absolute_dir(const YAML::Node& parent, const std::string& key, const std::string& path,
                          std::string& out) {
    if (!string_value(parent, key, path, false, "an absolute path", out)) return;
    if (out.empty() || out[0] != '/') {
      error(child(parent, key), join(path, key),
            "must be an absolute path (got '" + out + "'; expected e.g. /var/lib/cairn)");
    }
  }

  // A file the spec refers to: present, readable, and (optionally) valid.
  void check_file(const YAML::Node& parent, const std::string& key, const std::string& path,
                  bool required, const std::string& why, std::string& out,
                  std::string (*check_content)(const std::string&) = nullptr) {
    if (!string_value(parent, key, path, required, "a file path (" + why + ")", out)) return;
    const YAML::Node at = child(parent, key);
    const std::string p = join(path, key);
    if (out.empty()) {
      if (required) error(at, p, "needs a file path (" + why + ")");
      return;
    }
    if (!options_.check_files) return;
    std::filesystem::path file(out);
    if (file.is_relative()) file = std::filesystem::path(options_.base_dir) / file;
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(file, ec)) {
      error(at, p, "file '" + file.string() + "' does not exist or cannot be read (" + why + ")");
      return;
    }
    if (!check_content) return;
    std::stringstream content;
    content << in.rdbuf();
    if (std::string problem = check_content(content.str()); !problem.empty()) {
      error(at, p, "file '" + file.string() + "' " + problem);
    }
  }

  // --- sections -------------------------------------------------------------
  void read_cluster(const YAML::Node& root, ClusterSpec& spec);
  void read_ssh(const YAML::Node& root, ClusterSpec& spec);
  void read_zookeeper(const YAML::Node& root, ClusterSpec& spec);
  void read_masters(const YAML::Node& root, ClusterSpec& spec);
  void read_agents(const YAML::Node& root, ClusterSpec& spec);
  void read_roles(const YAML::Node& root, ClusterSpec& spec);
  void read_docker(const YAML::Node& root, ClusterSpec& spec);
  void read_security(const YAML::Node& root, ClusterSpec& spec);
  void read_ports(const YAML::Node& root, ClusterSpec& spec);

  // Reports every host that appears twice in one list.
  void check_unique_hosts(const YAML::Node& list, const std::string& path,
                          const std::vector<std::pair<std::string, YAML::Node>>& hosts) {
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < hosts.size(); ++i) {
      auto [it, inserted] = first.emplace(hosts[i].first, i);
      if (!inserted) {
        error(hosts[i].second, path + "[" + std::to_string(i) + "]",
              "host '" + hosts[i].first + "' is listed twice (also at " + path + "[" +
                  std::to_string(it->second) + "]; expected each host once)");
      }
    }
    (void)list;
  }

  std::string file_;
  const ValidationOptions& options_;
  std::vector<Diagnostic>& out_;
};

void SpecReader::read(const YAML::Node& root, ClusterSpec& spec) {
  if (!root.IsDefined() || root.IsNull()) {
    out_.push_back({file_, 0, 0, "", "the spec is empty (run 'cairn spec example' for a start)"});
    return;
  }
  if (!mapping(root, "", "")) return;
  std::string api;
  if (string_value(root, "apiVersion", "", true, "cairn/v1", api) && api != "cairn/v1") {
    error(root["apiVersion"], "apiVersion",
          "unsupported version (got '" + api + "'; expected cairn/v1)");
  }
  read_cluster(root, spec);
  read_ssh(root, spec);
  read_masters(root, spec);
  read_zookeeper(root, spec);
  read_agents(root, spec);
  read_roles(root, spec);
  read_docker(root, spec);
  read_security(root, spec);
  read_ports(root, spec);
}

void SpecReader::read_cluster(const YAML::Node& root, ClusterSpec& spec) {
  const YAML::Node cluster = child(root, "cluster");
  if (!present(root, cluster, "cluster", true, "a mapping with name and version")) return;
  if (!mapping(cluster, "cluster", "cluster")) return;
  static const std::regex kName("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  if (string_value(cluster, "name", "cluster", true, "a name like prod-east", spec.name) &&
      !std::regex_match(spec.name, kName)) {
    error(cluster["name"], "cluster.name",
          "is not a valid cluster name (got '" + spec.name +
              "'; expected 1..63 of a-z, 0-9 and '-', not starting or ending with '-')");
  }
  // Semantic Versioning 2.0.0, including pre-release and build metadata.
  static const std::regex kSemver(
      R"((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((-((0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((\+([0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*))?)");
  if (string_value(cluster, "version", "cluster", true, "a version like 1.0.0", spec.version) &&
      !std::regex_match(spec.version, kSemver)) {
    error(cluster["version"], "cluster.version",
          "is not a semantic version (got '" + spec.version +
              "'; expected e.g. 1.0.0 or 1.1.0-rc.1)");
  }
  check_absolute_dir(cluster, "work_dir", "cluster", spec.work_dir);
  check_absolute_dir(cluster, "log_dir", "cluster", spec.log_dir);
}

void SpecReader::read_ssh(const YAML::Node& root, ClusterSpec& spec) {
  const YAML::Node ssh = child(root, "ssh");
  if (!present(root, ssh, "ssh", false, "") || !mapping(ssh, "ssh", "ssh")) return;
  if (string_value(ssh, "user", "ssh", false, "a user name", spec.ssh.user) &&
      !std::regex_match(spec.ssh.user, std::regex("[a-z_][a-z0-9_.-]{0,31}"))) {
    error(ssh["user"], "ssh.user",
          "is not a valid user name (got '" + spec.ssh.user + "'; expected e.g. admin)");
  }
  port_value(ssh, "port", "ssh", spec.ssh.port);
  // The key lives on the machine that runs the installer; checked there.
  string_value(ssh, "key_file", "ssh", false, "a path to a private key", spec.ssh.key_file);
}

void SpecReader::read_masters(const YAML::Node& root, ClusterSpec& spec) {
  YAML::Node list;
  if (!list_value(root, "masters", "", true, "1, 3, 5 or 7 entries like {host: 10.0.0.11}", list)) {
    return;
  }
  std::vector<std::pair<std::string, YAML::Node>> hosts;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "masters[" + std::to_string(i) + "]";
    const YAML::Node entry = list[i];
    if (!mapping(entry, path, "masters[]")) continue;
    MasterSpec master;
    if (check_host(entry, "host", path, master.host))
      hosts.emplace_back(master.host, entry["host"]);
    check_hostname(entry, path, master.hostname);
    spec.masters.push_back(std::move(master));
  }
  const size_t n = list.size();
  if (n != 1 && n != 3 && n != 5 && n != 7) {
    error(list, "masters",
          "has " + std::to_string(n) +
              " masters (expected 1, 3, 5 or 7: an odd number, so that a majority survives "
              "failures; 3 tolerate 1 failure, 5 tolerate 2)");
  }
  check_unique_hosts(list, "masters", hosts);
}

void SpecReader::read_zookeeper(const YAML::Node& root, ClusterSpec& spec) {
  ZooKeeperSpec& zk = spec.zookeeper;
  const YAML::Node node = child(root, "zookeeper");
  if (present(root, node, "zookeeper", false, "") && mapping(node, "zookeeper", "zookeeper")) {
    YAML::Node list;
    if (list_value(node, "servers", "zookeeper", false, "a list of hosts", list)) {
      std::vector<std::pair<std::string, YAML::Node>> hosts;
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string path = "zookeeper.servers[" + std::to_string(i) + "]";
        if (!list[i].IsScalar()) {
          error(list[i], path,
                "must be a host (got " + describe(list[i]) +
                    "; expected an IP address or host name)");
          continue;
        }
        const std::string host = list[i].Scalar();
        if (!host_is_valid(list[i], path, host)) continue;
        zk.servers.push_back(host);
        hosts.emplace_back(host, list[i]);
      }
      if (list.size() % 2 == 0) {
        error(list, "zookeeper.servers",
              "has " + std::to_string(list.size()) +
                  " servers (expected an odd number such as 1, 3 or 5, so that a majority "
                  "survives failures; or leave it out to run one on each master)");
      }
      check_unique_hosts(list, "zookeeper.servers", hosts);
    }
    port_value(node, "client_port", "zookeeper", zk.client_port);
    if (string_value(node, "path", "zookeeper", false, "a znode path like /mesos", zk.path)) {
      const bool valid = zk.path.size() > 1 && zk.path[0] == '/' && zk.path.back() != '/' &&
                         zk.path.find("//") == std::string::npos &&
                         zk.path.find_first_of(" \t\n") == std::string::npos;
      if (!valid) {
        error(node["path"], "zookeeper.path",
              "is not a valid znode path (got '" + zk.path + "'; expected e.g. /mesos)");
      }
    }
    std::string timeout;
    if (string_value(node, "session_timeout", "zookeeper", false, "a duration like 10secs",
                     timeout)) {
      auto d = Duration::parse(timeout);
      if (!d.ok()) {
        error(node["session_timeout"], "zookeeper.session_timeout", d.error());
      } else if (*d < Duration::seconds(1) || *d > Duration::minutes(10)) {
        error(node["session_timeout"], "zookeeper.session_timeout",
              "is out of range (got " + timeout + "; expected 1secs..10mins)");
      } else {
        zk.session_timeout = *d;
      }
    }
  }
  if (zk.servers.empty() && !(node.IsMap() && node["servers"].IsSequence())) {
    for (const MasterSpec& m : spec.masters)
      zk.servers.push_back(m.host);
    zk.servers_derived = true;
  }
}

void SpecReader::read_agents(const YAML::Node& root, ClusterSpec& spec) {
  YAML::Node list;
  if (!list_value(root, "agents", "", false, "entries like {host: 10.0.1.21, role: private}",
                  list)) {
    return;
  }
  std::vector<std::pair<std::string, YAML::Node>> hosts;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "agents[" + std::to_string(i) + "]";
    const YAML::Node entry = list[i];
    if (!mapping(entry, path, "agents[]")) continue;
    AgentSpec agent;
    if (check_host(entry, "host", path, agent.host)) hosts.emplace_back(agent.host, entry["host"]);
    check_hostname(entry, path, agent.hostname);
    std::string role;
    if (string_value(entry, "role", path, false, "private or public", role)) {
      if (role == "public") {
        agent.role = AgentRole::kPublic;
      } else if (role != "private") {
        error(entry["role"], path + ".role",
              "is not a node role (got '" + role + "'; expected private or public)");
      }
    }
    if (string_value(entry, "resources", path, false, "Mesos resources like cpus:8;mem:16384",
                     agent.resources_text)) {
      auto r = Resources::parse(agent.resources_text, agent.default_role());
      if (r.ok()) {
        agent.resources = std::move(*r);
      } else {
        error(entry["resources"], path + ".resources", r.error());
      }
    }
    if (string_value(entry, "attributes", path, false, "Mesos attributes like rack:r1;os:rhel9",
                     agent.attributes_text)) {
      auto a = Attributes::parse(agent.attributes_text);
      if (a.ok()) {
        agent.attributes = std::move(*a);
      } else {
        error(entry["attributes"], path + ".attributes", a.error());
      }
    }
    check_absolute_dir(entry, "work_dir", path, agent.work_dir);
    spec.agents.push_back(std::move(agent));
  }
  check_unique_hosts(list, "agents", hosts);
}

void SpecReader::read_roles(const YAML::Node& root, ClusterSpec& spec) {
  YAML::Node list;
  if (!list_value(root, "roles", "", false, "entries like {name: prod, weight: 3}", list)) return;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "roles[" + std::to_string(i) + "]";
    const YAML::Node entry = list[i];
    if (!mapping(entry, path, "roles[]")) continue;
    RoleSpec role;
    if (string_value(entry, "name", path, true, "a role name like prod", role.name)) {
      if (role.name == "*" || role.name == "slave_public") {
        error(entry["name"], path + ".name",
              "'" + role.name +
                  "' is reserved (expected a role of your own; '*' means "
                  "unreserved and slave_public is the role of public agents)");
      } else if (Status s = validate_role_name(role.name); !s.ok()) {
        error(entry["name"], path + ".name", s.error());
      } else if (auto [it, inserted] = seen.emplace(role.name, i); !inserted) {
        error(entry["name"], path + ".name",
              "role '" + role.name + "' is declared twice (also at roles[" +
                  std::to_string(it->second) + "])");
      }
    }
    const YAML::Node weight = child(entry, "weight");
    if (weight.IsDefined() && !weight.IsNull()) {
      double w = 0;
      const std::string text = weight.IsScalar() ? weight.Scalar() : "";
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), w);
      if (!weight.IsScalar() || ec != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(w) || w <= 0) {
        error(weight, path + ".weight",
              "is not a valid weight (got " + describe(weight) + "; expected a number > 0)");
      } else {
        role.weight = w;
      }
    }
    spec.roles.push_back(std::move(role));
  }
}

void SpecReader::read_docker(const YAML::Node& root, ClusterSpec& spec) {
  const YAML::Node docker = child(root, "docker");
  if (!present(root, docker, "docker", false, "") || !mapping(docker, "docker", "docker")) return;
  bool_value(docker, "enabled", "docker", spec.docker.enabled);
  if (string_value(docker, "socket", "docker", false, "a unix socket path", spec.docker.socket) &&
      (spec.docker.socket.empty() || spec.docker.socket[0] != '/')) {
    error(docker["socket"], "docker.socket",
          "must be an absolute path (got '" + spec.docker.socket +
              "'; expected e.g. /var/run/docker.sock)");
  }
}

void SpecReader::read_security(const YAML::Node& root, ClusterSpec& spec) {
  const YAML::Node security = child(root, "security");
  if (!present(root, security, "security", false, "") ||
      !mapping(security, "security", "security")) {
    return;
  }
  SecuritySpec& s = spec.security;
  const YAML::Node tls = child(security, "tls");
  if (present(security, tls, "security.tls", false, "") &&
      mapping(tls, "security.tls", "security.tls")) {
    bool_value(tls, "enabled", "security.tls", s.tls.enabled);
    check_file(tls, "ca_cert", "security.tls", s.tls.enabled,
               "the PEM certificate of the cluster CA", s.tls.ca_cert);
    check_file(tls, "ca_key", "security.tls", s.tls.enabled,
               "the CA's PEM private key, used to sign host certificates", s.tls.ca_key);
  }
  const YAML::Node auth = child(security, "authentication");
  if (present(security, auth, "security.authentication", false, "") &&
      mapping(auth, "security.authentication", "security.authentication")) {
    bool_value(auth, "agents", "security.authentication", s.authentication.agents);
    bool_value(auth, "frameworks", "security.authentication", s.authentication.frameworks);
    const bool needed = s.authentication.agents || s.authentication.frameworks;
    check_file(auth, "credentials", "security.authentication", needed,
               "Mesos credentials JSON, needed when agents or frameworks authenticate",
               s.authentication.credentials, check_credentials_json);
  }
  check_file(security, "acls", "security", false, "Mesos ACL JSON", s.acls, check_acls_json);
  check_file(security, "rate_limits", "security", false, "Mesos rate-limit JSON", s.rate_limits,
             check_rate_limits_json);
}

void SpecReader::read_ports(const YAML::Node& root, ClusterSpec& spec) {
  const YAML::Node ports = child(root, "ports");
  if (!present(root, ports, "ports", false, "") || !mapping(ports, "ports", "ports")) return;
  PortsSpec& p = spec.ports;
  const std::pair<const char*, uint16_t*> fields[] = {{"master", &p.master},
                                                      {"agent", &p.agent},
                                                      {"router_http", &p.router_http},
                                                      {"router_https", &p.router_https}};
  std::map<uint16_t, std::string> used;
  for (const auto& [key, target] : fields)
    port_value(ports, key, "ports", *target);
  for (const auto& [key, target] : fields) {
    auto [it, inserted] = used.emplace(*target, key);
    if (!inserted) {
      const YAML::Node value = child(ports, key);
      const YAML::Node at = value.IsDefined() ? value : ports;
      error(at, std::string("ports.") + key,
            "port " + std::to_string(*target) + " is also used by ports." + it->second +
                " (expected a different port for each daemon: they may share a host)");
    }
  }
}

}  // namespace

SpecLoad load_spec_text(std::string_view text, const std::string& file_name,
                        const ValidationOptions& options) {
  SpecLoad result;
  if (text.size() > options.max_bytes) {
    result.diagnostics.push_back({file_name, 0, 0, "",
                                  "file is " + std::to_string(text.size()) +
                                      " bytes (expected at most " +
                                      std::to_string(options.max_bytes) + ")"});
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    result.diagnostics.push_back({file_name, e.mark.is_null() ? 0 : e.mark.line + 1,
                                  e.mark.is_null() ? 0 : e.mark.column + 1, "",
                                  "YAML syntax error: " + e.msg});
    return result;
  }
  ClusterSpec spec;
  try {
    SpecReader(file_name, options, result.diagnostics).read(root, spec);
  } catch (const YAML::Exception& e) {
    // The reader checks types before converting; this is a last line of defence.
    result.diagnostics.push_back({file_name, e.mark.is_null() ? 0 : e.mark.line + 1,
                                  e.mark.is_null() ? 0 : e.mark.column + 1, "",
                                  std::string("cannot read the spec: ") + e.what()});
  }
  sort_diagnostics(result.diagnostics);
  if (result.diagnostics.empty()) result.spec = std::move(spec);
  return result;
}

SpecLoad load_spec_file(const std::string& path, ValidationOptions options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return SpecLoad{std::nullopt, {{path, 0, 0, "", "is a directory (expected a YAML file)"}}};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return SpecLoad{
        std::nullopt,
        {{path, 0, 0, "", "cannot read the file: " + std::string(std::strerror(errno))}}};
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > options.max_bytes) {
    return SpecLoad{std::nullopt,
                    {{path, 0, 0, "",
                      "file is " + std::to_string(size) + " bytes (expected at most " +
                          std::to_string(options.max_bytes) + ")"}}};
  }
  std::stringstream text;
  text << in.rdbuf();
  if (options.base_dir == ".") {
    options.base_dir = std::filesystem::path(path).parent_path().string();
    if (options.base_dir.empty()) options.base_dir = ".";
  }
  return load_spec_text(text.str(), path, options);
}

std::vector<std::string> known_key_paths() {
  std::vector<std::string> out;
  for (const auto& [section, keys] : sections()) {
    for (const auto& key : keys)
      out.push_back(section.empty() ? key : section + "." + key);
  }
  return out;
}

}  // namespace cairn::spec
