#include "daemons/master/master_flags.hpp"

#include <cmath>

#include "lib/flags/validators.hpp"
#include "lib/resources/role.hpp"

namespace cairn::master {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<std::map<std::string, double>> parse_weights(const std::string& text) {
  std::map<std::string, double> weights;
  if (text.empty()) return weights;
  for (const std::string& entry : split(text, ',')) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      return Error("weight '" + entry + "' is not ROLE=WEIGHT (e.g. prod=3,dev=1)");
    }
    std::string role = entry.substr(0, eq);
    Status valid = validate_role_name(role);
    if (!valid.ok()) return Error("weight '" + entry + "': " + valid.error());
    Result<double> weight = flags::parse_double(entry.substr(eq + 1));
    if (!weight.ok() || !(*weight > 0) || std::isinf(*weight)) {
      return Error("weight '" + entry + "': the weight must be a positive number");
    }
    if (!weights.emplace(role, *weight).second) {
      return Error("weight for role '" + role + "' given twice");
    }
  }
  return weights;
}

Result<std::vector<std::string>> parse_roles(const std::string& text) {
  std::vector<std::string> roles;
  for (const std::string& role : split(text, ',')) {
    Status valid = validate_role_name(role);
    if (!valid.ok()) return Error("role '" + role + "': " + valid.error());
    roles.push_back(role);
  }
  return roles;
}

void add_master_flags(flags::FlagSet<MasterFlags>& set) {
  using F = MasterFlags;
  set.add(&F::ip, "ip", "IP address to listen on.");
  set.add(&F::port, "port", "Port to listen on.");
  set.add(&F::advertise_ip, "advertise_ip",
          "IP address advertised to agents and frameworks (default: --ip, or this host's "
          "address when --ip is 0.0.0.0).");
  set.add(&F::hostname, "hostname", "Host name advertised in MasterInfo (default: the system's).");
  set.add(&F::work_dir, "work_dir",
          "Where the master keeps its registry when running without ZooKeeper.")
      .required();
  set.add(&F::cluster, "cluster", "Human readable name of the cluster (default: from --config).");
  set.add(&F::config, "config",
          "The cluster spec (YAML). The master refuses to start on a spec that does not "
          "validate; flags override its values.");
  set.add(&F::zk, "zk",
          "ZooKeeper URL (zk://[user:password@]host1:2181,host2:2181/mesos, or file:///path "
          "holding one) for leader election and the registry. Default: from --config when the "
          "spec has more than one master.")
      .from_file();
  set.add(&F::quorum, "quorum",
          "Size of the masters' quorum (a majority of the masters); checked against --config.")
      .validate(flags::positive);
  set.add(&F::zk_session_timeout, "zk_session_timeout",
          "ZooKeeper session timeout: a leader cut off from ZooKeeper this long steps down.")
      .validate(flags::positive);
  set.add(&F::roles, "roles",
          "Comma-separated list of the roles frameworks may use (default: any role).");
  set.add(&F::weights, "weights", "Role weights for fair sharing: ROLE=WEIGHT,... (e.g. prod=3,dev=1).");
  set.add(&F::offer_timeout, "offer_timeout",
          "Duration after which an offer not answered is rescinded (default: never).")
      .validate(flags::positive);
  set.add(&F::allocation_interval, "allocation_interval", "Time between allocation cycles.")
      .validate(flags::positive);
  set.add(&F::agent_ping_timeout, "agent_ping_timeout",
          "Time an agent has to answer a ping before it counts as missed.")
      .validate(flags::positive);
  set.add(&F::max_agent_ping_timeouts, "max_agent_ping_timeouts",
          "Missed pings after which an agent is marked unreachable.")
      .validate(flags::positive);
  set.add(&F::agent_reregister_timeout, "agent_reregister_timeout",
          "After a master restart, time agents have to re-register before they are marked "
          "unreachable.")
      .validate(flags::positive);
  set.add(&F::framework_failover_timeout, "framework_failover_timeout",
          "Failover timeout for frameworks that set none (0: tear down at once on disconnect).");
  set.add(&F::heartbeat_interval, "heartbeat_interval",
          "Interval of HEARTBEAT events on scheduler and operator streams.")
      .validate(flags::positive);
  set.add(&F::max_completed_frameworks, "max_completed_frameworks",
          "Completed frameworks kept in memory for the state endpoints.");
  set.add(&F::max_completed_tasks_per_framework, "max_completed_tasks_per_framework",
          "Completed tasks kept per framework for the state endpoints.");
  set.add(&F::max_unreachable_tasks_per_framework, "max_unreachable_tasks_per_framework",
          "Unreachable tasks kept per framework.");
  add_logging_flags(set);
}

}  // namespace cairn::master
