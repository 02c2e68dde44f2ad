// masters, zookeeper and agents: the lists of machines. Each entry is read
// on its own; the rules about a whole list (count, each host once) run
// after its entries, on canonical host forms so that "fd00::1" and
// "fd00:0::1", or "M1.example.com" and "m1.example.com", count as one.
#include <map>
#include <utility>

#include "lib/resources/attributes.hpp"
#include "lib/resources/resources.hpp"
#include "lib/spec/host_address.hpp"
#include "lib/spec/section_readers.hpp"
#include "lib/spec/spec_keys.hpp"
#include "lib/spec/value_rules.hpp"

namespace cairn::spec {
namespace {

constexpr std::string_view kHostExpected = "an IP address or host name such as 10.0.0.11";

// The hosts of one list as they were read, to find repeats.
class HostList {
 public:
  explicit HostList(std::string list_path) : list_path_(std::move(list_path)) {}

  void add(const std::string& host, const YAML::Node& at, std::string path) {
    entries_.push_back({canonical_host(host), host, at, std::move(path)});
  }

  void report_repeats(NodeReader& reader) const {
    std::map<std::string, size_t> first;
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      auto [it, inserted] = first.emplace(e.canonical, i);
      if (!inserted) {
        reader.error(e.at, e.path,
                     "host " + quote_value(e.text) + " is listed twice in " + list_path_ +
                         " (also at " + entries_[it->second].path + "; expected each host once)");
      }
    }
  }

 private:
  struct Entry {
    std::string canonical;
    std::string text;
    YAML::Node at;
    std::string path;
  };
  std::string list_path_;
  std::vector<Entry> entries_;
};

// `host` (required) and `hostname` (optional, default host) of an entry.
bool read_host_and_name(SpecContext& context, const Mapping& entry, std::string& host,
                        std::string& hostname, HostList& hosts) {
  NodeReader& reader = context.reader;
  bool ok = false;
  if (auto value = reader.text(entry, "host", Need::kRequired, kHostExpected)) {
    if (Status s = context.check_host(*value); !s) {
      reader.error(entry, "host", s.error());
    } else {
      host = *value;
      hosts.add(host, entry.get("host"), entry.path_of("host"));
      ok = true;
    }
  }
  // The advertised name need not resolve where the spec is validated.
  if (auto name =
          reader.text(entry, "hostname", Need::kOptional, "a host name such as m1.example.com")) {
    if (auto kind = classify_host(*name); !kind) {
      reader.error(entry, "hostname", kind.error());
    } else {
      hostname = *name;
    }
  }
  if (hostname.empty()) hostname = host;
  return ok;
}

}  // namespace

void read_masters(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto list =
      reader.list(top, "masters", Need::kRequired, "1, 3, 5 or 7 entries like {host: 10.0.0.11}");
  if (!list) return;
  HostList hosts("masters");
  for (size_t i = 0; i < list->size() && !reader.stopped(); ++i) {
    const auto entry = reader.mapping((*list)[i], index_path("masters", i), keys_of("masters[]"),
                                      "a mapping such as {host: 10.0.0.11}");
    if (!entry) continue;
    MasterEntry master;
    if (read_host_and_name(context, *entry, master.host, master.hostname, hosts)) {
      spec.masters.push_back(std::move(master));
    }
  }
  const size_t n = list->size();
  if (n != 1 && n != 3 && n != 5 && n != 7) {
    reader.error(*list, "masters",
                 "has " + std::to_string(n) +
                     " masters (expected 1, 3, 5 or 7: an odd number keeps a majority through "
                     "failures; 3 survive 1 failure, 5 survive 2)");
  }
  hosts.report_repeats(reader);
}

void read_zookeeper(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  ZooKeeperSection& zk = spec.zookeeper;
  const auto section = reader.section(top, "zookeeper", Need::kOptional, keys_of("zookeeper"),
                                      "a mapping with servers, client_port, path, session_timeout");
  std::optional<YAML::Node> list;
  if (section) {
    list = reader.list(*section, "servers", Need::kOptional, "a list of hosts such as [10.0.0.11]");
  }
  if (list) {
    HostList hosts("zookeeper.servers");
    for (size_t i = 0; i < list->size() && !reader.stopped(); ++i) {
      const YAML::Node item = (*list)[i];
      const std::string path = index_path("zookeeper.servers", i);
      auto host = reader.text(item, path, kHostExpected);
      if (!host) continue;
      if (Status s = context.check_host(*host); !s) {
        reader.error(item, path, s.error());
        continue;
      }
      zk.servers.push_back(*host);
      hosts.add(*host, item, path);
    }
    if (list->size() % 2 == 0) {
      reader.error(*list, "zookeeper.servers",
                   "has " + std::to_string(list->size()) +
                       " servers (expected an odd number such as 1, 3 or 5, so that a majority "
                       "survives failures; or leave servers out to run one on each master)");
    }
    hosts.report_repeats(reader);
  } else {
    for (const MasterEntry& m : spec.masters)
      zk.servers.push_back(m.host);
    zk.servers_from_masters = true;
  }
  if (!section) return;

  if (auto port = reader.integer(*section, "client_port", "port", 1, 65535)) {
    zk.client_port = static_cast<uint16_t>(*port);
  }
  if (auto path = reader.text(*section, "path", Need::kOptional, "a znode path such as /mesos",
                              check_znode_path)) {
    zk.path = std::move(*path);
  }
  if (auto text =
          reader.text(*section, "session_timeout", Need::kOptional, "a duration such as 10secs")) {
    auto timeout = Duration::parse(*text);
    if (!timeout) {
      reader.error(*section, "session_timeout", timeout.error());
    } else if (*timeout < Duration::seconds(1) || *timeout > Duration::minutes(10)) {
      reader.error(*section, "session_timeout",
                   "is out of range (got " + quote_value(*text) + "; expected 1secs..10mins)");
    } else {
      zk.session_timeout = *timeout;
    }
  }
}

void read_agents(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto list =
      reader.list(top, "agents", Need::kOptional, "entries like {host: 10.0.1.21, role: private}");
  if (!list) return;
  HostList hosts("agents");
  for (size_t i = 0; i < list->size() && !reader.stopped(); ++i) {
    const auto entry = reader.mapping((*list)[i], index_path("agents", i), keys_of("agents[]"),
                                      "a mapping such as {host: 10.0.1.21, role: private}");
    if (!entry) continue;
    AgentEntry agent;
    bool ok = read_host_and_name(context, *entry, agent.host, agent.hostname, hosts);
    if (auto role = reader.text(*entry, "role", Need::kOptional, "private or public")) {
      if (*role == "public") {
        agent.role = AgentRole::kPublic;
      } else if (*role != "private") {
        reader.error(
            *entry, "role",
            "is not an agent role (got " + quote_value(*role) + "; expected private or public)");
        ok = false;
      }
    }
    if (auto text = reader.text(*entry, "resources", Need::kOptional,
                                "Mesos resources such as cpus:8;mem:16384;ports:[31000-32000]")) {
      auto resources = Resources::parse(*text, agent.default_mesos_role());
      if (resources) {
        agent.resources = std::move(*resources);
      } else {
        reader.error(*entry, "resources", resources.error());
        ok = false;
      }
    }
    if (auto text = reader.text(*entry, "attributes", Need::kOptional,
                                "Mesos attributes such as rack:r1;os:rhel9")) {
      auto attributes = Attributes::parse(*text);
      if (attributes) {
        agent.attributes = std::move(*attributes);
      } else {
        reader.error(*entry, "attributes", attributes.error());
        ok = false;
      }
    }
    if (auto dir = reader.text(*entry, "work_dir", Need::kOptional,
                               "an absolute path such as /var/lib/cairn", check_absolute_path)) {
      agent.work_dir = std::move(*dir);
    }
    if (ok) spec.agents.push_back(std::move(agent));
  }
  hosts.report_repeats(reader);
}

}  // namespace cairn::spec
