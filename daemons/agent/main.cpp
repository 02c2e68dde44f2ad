// cairn-agent: parses flags (and this host's entry of the cluster spec),
// then runs the Agent and its HTTP server on one event loop until
// SIGINT/SIGTERM. Executors keep running when the agent stops.
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "daemons/agent/agent.hpp"
#include "daemons/agent/resource_detection.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/http/server.hpp"
#include "lib/logging/log.hpp"
#include "lib/spec/host_identity.hpp"
#include "lib/spec/load_spec.hpp"
#include "lib/zk/zk_url.hpp"

using namespace cairn;
using namespace cairn::agent;

namespace {

int fail(const std::string& message) {
  std::cerr << "cairn-agent: " << message << "\n";
  return 1;
}

// cairn-executor: next to this binary (packages), in ../executor (build
// tree), or on PATH.
std::string find_executor() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto candidate : {self.parent_path() / "cairn-executor",
                           self.parent_path().parent_path() / "executor" / "cairn-executor"}) {
      if (std::filesystem::exists(candidate, ec)) return candidate.string();
    }
  }
  return "cairn-executor";
}

}  // namespace

int main(int argc, char** argv) {
  flags::FlagSet<AgentFlags> set("cairn-agent", kAgentSummary);
  add_agent_flags(set);
  Result<flags::Parsed<AgentFlags>> parsed = set.parse(argc, argv);
  if (!parsed.ok()) {
    std::cerr << parsed.error() << "\nSee 'cairn-agent --help'.\n";
    return 1;
  }
  if (parsed->help) {
    std::cout << set.usage();
    return 0;
  }
  AgentFlags flags = parsed->flags;

  if (flags.config) {
    spec::SpecLoad load = spec::load_spec_file(*flags.config);
    if (!load.spec) {
      for (const auto& diagnostic : load.diagnostics)
        std::cerr << diagnostic.to_string() << "\n";
      return fail("the cluster spec " + *flags.config + " is not valid; not starting");
    }
    std::vector<std::string> identities = spec::local_identities();
    if (flags.hostname) identities.push_back(*flags.hostname);
    Result<spec::HostRoles> roles = spec::find_host_roles(*load.spec, identities);
    if (roles.ok() && roles->agent) {
      const spec::AgentEntry& entry = load.spec->agents[*roles->agent];
      if (!flags.resources && entry.resources) flags.resources = entry.resources->to_string();
      if (!flags.attributes && !entry.attributes.empty())
        flags.attributes = entry.attributes.to_string();
      if (flags.default_role == "*") flags.default_role = entry.default_mesos_role();
      if (!flags.hostname) flags.hostname = entry.hostname;
    }
  }

  AgentOptions options;
  // Checked before anything starts; a ZooKeeper URL is followed by the
  // agent's detector (and shown without its password).
  std::string master_shown;
  if (zk::is_zk_url(flags.master)) {
    Result<zk::ZkUrl> zk_url = zk::ZkUrl::parse(flags.master, "--master");
    if (!zk_url.ok()) return fail(zk_url.error());
    options.master_url = flags.master;
    master_shown = zk_url->redacted();
  } else {
    Result<std::string> master = detector::normalize_master_url(flags.master, "--master");
    if (!master.ok()) return fail(master.error());
    options.master_url = master_shown = *master;
  }
  Status work_dir = fs::create_directories(flags.work_dir);
  if (!work_dir.ok()) return fail("--work_dir: " + work_dir.error());
  Result<Resources> resources = agent_resources(flags.resources.value_or(""),
                                                detect_machine(flags.work_dir), flags.default_role);
  if (!resources.ok()) return fail(resources.error());
  options.resources = *resources;
  if (flags.attributes) {
    Result<Attributes> attributes = Attributes::parse(*flags.attributes);
    if (!attributes.ok()) return fail("--attributes: " + attributes.error());
    options.attributes = *attributes;
  }
  options.advertised_ip = flags.advertise_ip      ? *flags.advertise_ip
                          : flags.ip == "0.0.0.0" ? spec::first_ipv4_address()
                                                  : flags.ip;
  if (flags.hostname) {
    options.hostname = *flags.hostname;
  } else {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    options.hostname = name;
  }
  options.executor_path = flags.executor_path.value_or(find_executor());
  options.flag_values = set.values(flags);
  // /flags must not show a ZooKeeper password (file:// keeps it in the file).
  if (flags.master.rfind("zk://", 0) == 0) options.flag_values["master"] = master_shown;
  options.flags = flags;

  if (Status logging = init_logging(logging_options(flags, "cairn-agent")); !logging.ok())
    return fail(logging.error());

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  EventLoop loop;
  metrics::Registry metrics;
  Agent agent(loop, options, metrics);
  http::ServerOptions server_options;
  server_options.address = flags.ip;
  server_options.port = flags.port;
  server_options.server_name = "cairn-agent/" CAIRN_VERSION;
  http::Server server(loop, server_options, agent.routes());
  Result<uint16_t> port = server.start();
  if (!port.ok())
    return fail("cannot listen on " + flags.ip + ":" + std::to_string(flags.port) + ": " +
                port.error());
  Status started = agent.start(*port);
  if (!started.ok()) return fail(started.error());
  log::info("cairn-agent {} listening on {}:{} with {}; master {}", CAIRN_VERSION, flags.ip, *port,
            options.resources.to_string(), master_shown);
  sd_notify(0, "READY=1");

  std::thread signal_thread([&] {
    int received = 0;
    sigwait(&signals, &received);
    loop.post([&, received] {
      log::info("Received signal {}; stopping (executors keep running)", received);
      sd_notify(0, "STOPPING=1");
      agent.stop();
      server.stop(Duration::seconds(2), [&] { loop.stop(); });
    });
  });
  loop.run();
  signal_thread.join();
  return 0;
}
