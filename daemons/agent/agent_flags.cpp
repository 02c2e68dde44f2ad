#include "daemons/agent/agent_flags.hpp"

#include "lib/flags/validators.hpp"

namespace cairn::agent {

namespace {

Status one_of(const std::string& value, std::initializer_list<const char*> allowed, const char* what) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return ok_status();
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return Error(std::string(what) + " must be one of " + list + ", got '" + value + "'");
}

}  // namespace

void add_agent_flags(flags::FlagSet<AgentFlags>& set) {
  using F = AgentFlags;
  set.add(&F::master, "master",
          "The master: host:port, http(s)://host:port, or "
          "zk://[user:password@]host1:2181,host2:2181/path to follow the leader elected in "
          "ZooKeeper; or file:///path holding one of these.")
      .required();
  set.add(&F::zk_session_timeout, "zk_session_timeout",
          "ZooKeeper session timeout of the master detector (with a zk:// --master).")
      .validate(flags::positive);
  set.add(&F::ip, "ip", "IP address to listen on.");
  set.add(&F::port, "port", "Port to listen on.");
  set.add(&F::advertise_ip, "advertise_ip", "IP address advertised to the master (default: --ip, or this host's address).");
  set.add(&F::hostname, "hostname", "Host name advertised to the master (default: the system's).");
  set.add(&F::work_dir, "work_dir", "Where sandboxes and checkpoints are kept.").required();
  set.add(&F::config, "config", "The cluster spec (YAML); this host's agent entry supplies defaults.");
  set.add(&F::resources, "resources",
          "Resources to offer, Mesos syntax (cpus:8;mem:16384;disk:409600;ports:[31000-32000]); "
          "what is not given is detected.");
  set.add(&F::attributes, "attributes", "Attributes, Mesos syntax (rack:r1;os:debian).");
  set.add(&F::default_role, "default_role",
          "Role of resources given without one (slave_public on public agents).");
  set.add(&F::containerizers, "containerizers", "Containerizers to use, in order: mesos, docker.")
      .validate([](const std::string& v) -> Status {
        size_t start = 0;
        while (start <= v.size()) {
          size_t end = v.find(',', start);
          if (end == std::string::npos) end = v.size();
          Status st = one_of(v.substr(start, end - start), {"mesos", "docker"}, "each containerizer");
          if (!st.ok()) return st;
          start = end + 1;
        }
        return ok_status();
      });
  set.add(&F::isolation, "isolation",
          "Isolators: cgroups/cpu, cgroups/mem, posix/cpu, posix/mem, filesystem/shared, "
          "namespaces/pid.");
  set.add(&F::cgroups_root, "cgroups_root", "Name of the cgroup under which containers are created.");
  set.add(&F::cgroups_enable_cfs, "cgroups_enable_cfs", "Hard-limit CPU with CFS quota (cgroups/cpu).");
  set.add(&F::executor_registration_timeout, "executor_registration_timeout",
          "Time an executor has to subscribe before it is destroyed.")
      .validate(flags::positive);
  set.add(&F::executor_shutdown_grace_period, "executor_shutdown_grace_period",
          "Time an executor has to shut down before it is killed.");
  set.add(&F::recover, "recover",
          "On restart: reconnect to running executors, or cleanup (kill them).")
      .validate([](const std::string& v) { return one_of(v, {"reconnect", "cleanup"}, "--recover"); });
  set.add(&F::recovery_timeout, "recovery_timeout",
          "Time executors wait for a restarted agent before they exit.");
  set.add(&F::strict, "strict", "Fail to start when checkpointed state cannot be recovered.");
  set.add(&F::gc_delay, "gc_delay", "Time after which finished sandboxes are removed.");
  set.add(&F::docker, "docker", "The docker command (informational; the Engine API is used).");
  set.add(&F::docker_socket, "docker_socket", "The Docker Engine's unix socket.");
  set.add(&F::executor_path, "executor_path", "Path of cairn-executor (default: next to cairn-agent).");
  set.add(&F::registration_backoff_factor, "registration_backoff_factor",
          "Initial backoff between registration attempts (doubles up to 1mins).")
      .validate(flags::positive);
  set.add(&F::fetcher_cache_dir, "fetcher_cache_dir", "Cache of fetched URIs marked cache: true.");
  add_logging_flags(set);
}

}  // namespace cairn::agent
