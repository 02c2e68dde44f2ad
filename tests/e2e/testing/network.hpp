// Hosts for end-to-end tests: one Linux network namespace per "host", all
// plugged into a bridge the test creates, so daemons bind the addresses a
// real cluster would give them and a test can cut a host off the network.
//
//   auto net = TestNetwork::create();          // bridge ceb<pid>-<k>, 10.200.N.1/24
//   Host* h1 = *(*net)->add_host("m1");         // netns, veth, 10.200.N.10
//   h1->run(spec);                              // a process inside the host
//   h1->partition(); ... h1->heal();
//
// Every name carries the creating process's pid (bridge `ceb<pid hex>-<k>`,
// root-side veth `cev<pid hex>-<k>-<i>`, netns `ce2e-<pid>-<k>-<host>`), so
// test binaries running in parallel never share a link, and cleanup_stale()
// can remove what a crashed test left behind without touching the networks
// of tests still running. The subnet 10.200.N.0/24 is the first N in 1..254
// that no root-namespace interface uses, chosen under a lock file.
//
// The root namespace (the test process itself) reaches every host directly
// over the bridge; hosts reach each other through it. Needs root.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/process/launch.hpp"

namespace cairn::e2e {

// Runs `fn` on a new thread that has joined the network namespace at
// `netns_path` (e.g. /run/netns/NAME), and waits for it. Sockets created
// and processes forked by `fn` belong to that namespace for good; the
// calling thread's own namespace is untouched.
Status run_in_network_namespace(const std::string& netns_path, const std::function<void()>& fn);

class TestNetwork;

class Host {
 public:
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // As given to add_host().
  const std::string& name() const { return name_; }
  // The network namespace, as `ip netns` knows it.
  const std::string& netns() const { return netns_; }
  std::string netns_path() const { return "/run/netns/" + netns_; }
  // 10.200.N.(10 + index), on the host's eth0.
  const std::string& address() const { return address_; }
  // The root-namespace end of the host's veth pair (a bridge port).
  const std::string& link() const { return link_; }

  // Cuts the host off: its bridge-side veth goes down, so every packet to
  // or from it (other hosts and the test process alike) is dropped. TCP
  // peers see silence, not resets: connects time out and established
  // connections stall until heal() or their own timeouts, as in a real
  // partition. Processes inside keep running.
  Status partition();
  // Undoes partition(); packets flow again at once (the bridge runs no STP).
  Status heal();
  bool partitioned() const { return partitioned_; }

  // Runs `fn` on a thread inside the host's namespace (see
  // run_in_network_namespace), e.g. to connect from this host.
  Status in_namespace(const std::function<void()>& fn) const;
  // Starts a process inside the host's namespace (launch_process run from
  // a thread that joined it). The caller reaps the returned pid.
  Result<pid_t> run(const process::ProcessSpec& spec) const;

 private:
  friend class TestNetwork;
  Host(std::string name, std::string netns, std::string address, std::string link)
      : name_(std::move(name)),
        netns_(std::move(netns)),
        address_(std::move(address)),
        link_(std::move(link)) {}

  std::string name_;
  std::string netns_;
  std::string address_;
  std::string link_;
  bool partitioned_ = false;
};

class TestNetwork {
 public:
  struct Options {
    // N of 10.200.N.0/24, 1..254; 0: the first N no interface uses.
    int subnet = 0;
  };

  // Creates the bridge with its gateway address (after cleanup_stale()).
  static Result<std::unique_ptr<TestNetwork>> create(Options options);
  static Result<std::unique_ptr<TestNetwork>> create() { return create(Options{}); }

  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;
  // destroy(), errors ignored.
  ~TestNetwork();

  // A new namespace with a veth into the bridge, address 10.200.N.(10 + i)
  // for the i-th host, lo up, default route via the gateway. `name`:
  // letters, digits, '-', '_', '.', at most 32 characters, unique here.
  // The Host lives as long as the network.
  Result<Host*> add_host(const std::string& name);

  const std::vector<std::unique_ptr<Host>>& hosts() const { return hosts_; }
  // nullptr when there is no such host.
  Host* host(const std::string& name) const;

  const std::string& bridge() const { return bridge_; }
  int subnet() const { return subnet_; }
  // "10.200.N.1", the bridge's address.
  std::string gateway() const;
  // "10.200.N.0/24".
  std::string cidr() const;

  // SIGKILLs processes left in the hosts' namespaces (they would keep a
  // deleted namespace alive), then deletes the veths, the namespaces and
  // the bridge. Safe to call twice; the first failure is reported, but it
  // still tries every step.
  Status destroy();

  // Removes bridges, veths and namespaces of this naming scheme whose
  // creating process no longer exists, killing processes left inside them.
  static Status cleanup_stale();

 private:
  TestNetwork(std::string bridge, int subnet, int instance)
      : bridge_(std::move(bridge)), subnet_(subnet), instance_(instance) {}

  std::string bridge_;
  int subnet_;
  int instance_;
  bool destroyed_ = false;
  std::vector<std::unique_ptr<Host>> hosts_;
};

}  // namespace cairn::e2e
