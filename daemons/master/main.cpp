// cairn-master: parses flags (and the cluster spec), then runs the Master
// and its HTTP server on one event loop until SIGINT/SIGTERM.
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <thread>

#include "daemons/master/allocator/allocator.hpp"
#include "daemons/master/election.hpp"
#include "daemons/master/master.hpp"
#include "lib/http/server.hpp"
#include "lib/logging/log.hpp"
#include "lib/logging/logging.hpp"
#include "lib/spec/host_identity.hpp"
#include "lib/spec/load_spec.hpp"
#include "lib/zk/zk_url.hpp"

using namespace cairn;
using namespace cairn::master;

namespace {

int fail(const std::string& message) {
  std::cerr << "cairn-master: " << message << "\n";
  return 1;
}

// A master that stopped leading starts over as a new process image: no
// leader state survives into the standby, and the port, flags and log
// files are set up again exactly as at boot (systemd sees the same pid).
[[noreturn]] void restart_as_standby(char** argv) {
  flush_logging();
  ::close_range(3, ~0U, 0);  // listening socket, ZooKeeper and log fds
  ::execv("/proc/self/exe", argv);
  std::cerr << "cairn-master: cannot restart itself: " << std::strerror(errno) << "\n";
  std::_Exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  flags::FlagSet<MasterFlags> set("cairn-master", kMasterSummary);
  add_master_flags(set);
  Result<flags::Parsed<MasterFlags>> parsed = set.parse(argc, argv);
  if (!parsed.ok()) {
    std::cerr << parsed.error() << "\nSee 'cairn-master --help'.\n";
    return 1;
  }
  if (parsed->help) {
    std::cout << set.usage();
    return 0;
  }
  MasterFlags flags = parsed->flags;

  MasterOptions options;
  std::optional<size_t> spec_quorum;
  std::optional<std::string> spec_zk;
  if (flags.config) {
    spec::SpecLoad load = spec::load_spec_file(*flags.config);
    if (!load.spec) {
      for (const auto& diagnostic : load.diagnostics)
        std::cerr << diagnostic.to_string() << "\n";
      return fail("the cluster spec " + *flags.config + " is not valid; not starting");
    }
    options.cluster = load.spec->cluster.name;
    spec_quorum = load.spec->quorum();
    if (load.spec->masters.size() > 1) spec_zk = load.spec->zookeeper_url();
    if (!flags.weights && !load.spec->weights_flag().empty())
      flags.weights = load.spec->weights_flag();
  }
  // HA: the registry and the election live in ZooKeeper.
  if (!flags.zk && spec_zk) flags.zk = spec_zk;
  std::optional<zk::ZkUrl> zk_url;
  if (flags.zk) {
    Result<zk::ZkUrl> url = zk::ZkUrl::parse(*flags.zk, "--zk");
    if (!url.ok()) return fail(url.error());
    zk_url = *url;
  }
  if (flags.quorum && spec_quorum && *flags.quorum != *spec_quorum) {
    return fail("--quorum=" + std::to_string(*flags.quorum) + " does not match the cluster spec " +
                *flags.config + ", whose masters need a quorum of " +
                std::to_string(*spec_quorum) + " (a majority)");
  }
  if (flags.quorum && !zk_url && *flags.quorum > 1) {
    return fail("--quorum=" + std::to_string(*flags.quorum) +
                " needs several masters, and those need --zk (a standalone master has a quorum "
                "of 1)");
  }
  if (flags.cluster) options.cluster = *flags.cluster;
  if (flags.weights) {
    Result<std::map<std::string, double>> weights = parse_weights(*flags.weights);
    if (!weights.ok()) return fail("--weights: " + weights.error());
    options.weights = *weights;
  }
  if (flags.roles) {
    Result<std::vector<std::string>> roles = parse_roles(*flags.roles);
    if (!roles.ok()) return fail("--roles: " + roles.error());
    options.whitelisted_roles = *roles;
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
  options.flag_values = set.values(flags);
  options.flags = flags;

  if (Status logging = init_logging(logging_options(flags, "cairn-master")); !logging.ok()) {
    return fail(logging.error());
  }

  // Signals are taken by a thread of their own and handed to the loop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  EventLoop loop;
  metrics::Registry metrics;
  Master master(loop, options, metrics, make_drf_allocator(),
                zk_url ? nullptr : make_local_registry(loop, flags.work_dir));
  http::ServerOptions server_options;
  server_options.address = flags.ip;
  server_options.port = flags.port;
  server_options.server_name = "cairn-master/" CAIRN_VERSION;
  http::Server server(loop, server_options, master.routes());
  Result<uint16_t> port = server.start();
  if (!port.ok())
    return fail("cannot listen on " + flags.ip + ":" + std::to_string(flags.port) + ": " +
                port.error());

  int exit_code = 0;
  std::unique_ptr<MasterElection> election;
  if (zk_url) {
    master.standby(*port);
    election = std::make_unique<MasterElection>(
        loop, master, *zk_url, flags.zk_session_timeout, [&](std::string why) {
          log::error("Stepping down: {}; restarting as a standby", why);
          master.stop();
          election.reset();  // closes the session: our election node goes now
          restart_as_standby(argv);
        });
    election->start();
    log::info("cairn-master {} listening on {}:{} as a standby; electing through {}",
              CAIRN_VERSION, flags.ip, *port, zk_url->redacted());
    sd_notify(0, "READY=1");
  } else {
    master.start(*port, [&](Status started) {
      if (!started.ok()) {
        log::error("{}", started.error());
        exit_code = 1;
        loop.stop();
        return;
      }
      log::info("cairn-master {} listening on {}:{}", CAIRN_VERSION, flags.ip, *port);
      sd_notify(0, "READY=1");
    });
  }

  std::thread signal_thread([&] {
    int received = 0;
    sigwait(&signals, &received);
    loop.post([&, received] {
      log::info("Received signal {}; stopping", received);
      sd_notify(0, "STOPPING=1");
      master.stop();
      election.reset();
      server.stop(Duration::seconds(5), [&] { loop.stop(); });
    });
  });
  loop.run();
  if (exit_code != 0) {
    ::kill(::getpid(), SIGTERM);  // release the signal thread
  }
  signal_thread.join();
  return exit_code;
}
