#include "tests/e2e/testing/network.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "lib/fs/atomic_file.hpp"
#include "tests/e2e/testing/command.hpp"

namespace cairn::e2e {

namespace {

constexpr const char* kLockPath = "/run/lock/cairn-e2e-network.lock";
constexpr const char* kBridgePrefix = "ceb";
constexpr const char* kVethPrefix = "cev";
constexpr const char* kNetnsPrefix = "ce2e-";
constexpr int kFirstHostOctet = 10;

// Distinguishes several networks made by one test binary.
std::atomic<int> next_instance{0};

std::string hex(long value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lx", value);
  return buffer;
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

// The pid in a name made by this file: hex after a link prefix, decimal
// after the netns prefix, then '-'. 0 when the name is not ours.
pid_t owner_of(const std::string& name, const std::string& prefix, int base) {
  if (name.rfind(prefix, 0) != 0) return 0;
  size_t start = prefix.size();
  size_t dash = name.find('-', start);
  if (dash == std::string::npos || dash == start) return 0;
  std::string digits = name.substr(start, dash - start);
  const char* allowed = base == 16 ? "0123456789abcdef" : "0123456789";
  if (digits.find_first_not_of(allowed) != std::string::npos || digits.size() > 8) return 0;
  return static_cast<pid_t>(std::stol(digits, nullptr, base));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Link names in the root namespace ("3: name@peer: <...>" per line).
Result<std::vector<std::string>> list_links() {
  Result<std::string> out = run_checked({"ip", "-o", "link", "show"});
  if (!out.ok()) return Error(out.error());
  std::vector<std::string> names;
  for (const std::string& line : lines_of(*out)) {
    size_t start = line.find(": ");
    if (start == std::string::npos) continue;
    start += 2;
    size_t end = line.find_first_of("@:", start);
    if (end == std::string::npos) continue;
    names.push_back(line.substr(start, end - start));
  }
  return names;
}

// Names under /run/netns ("name (id: 3)" per line).
Result<std::vector<std::string>> list_netns() {
  Result<std::string> out = run_checked({"ip", "netns", "list"});
  if (!out.ok()) return Error(out.error());
  std::vector<std::string> names;
  for (const std::string& line : lines_of(*out)) {
    names.push_back(line.substr(0, line.find(' ')));
  }
  return names;
}

// SIGKILLs every process in the namespace (ours get reaped by their owners).
void kill_processes_in(const std::string& netns) {
  Result<std::string> out = run_checked({"ip", "netns", "pids", netns});
  if (!out.ok()) return;
  for (const std::string& line : lines_of(*out)) {
    pid_t pid = static_cast<pid_t>(std::atol(line.c_str()));
    if (pid > 1 && pid != ::getpid()) ::kill(pid, SIGKILL);
  }
}

// Subnets N of 10.200.N.0/24 some root-namespace address or route is in.
Result<std::set<int>> used_subnets() {
  std::set<int> used;
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"ip", "-o", "-4", "addr", "show"},
        std::vector<std::string>{"ip", "-4", "route", "show", "table", "all"}}) {
    Result<std::string> out = run_checked(argv);
    if (!out.ok()) return Error(out.error());
    const std::string needle = "10.200.";
    for (size_t at = out->find(needle); at != std::string::npos; at = out->find(needle, at + 1)) {
      used.insert(std::atoi(out->c_str() + at + needle.size()));
    }
  }
  return used;
}

// Holds an exclusive flock for the scope, so parallel test binaries pick
// subnets one after the other.
class LockFile {
 public:
  static Result<LockFile> acquire(const std::string& path) {
    (void)fs::create_directories(std::filesystem::path(path).parent_path().string());
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Error("cannot open " + path + ": " + std::strerror(errno));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        ::close(fd);
        return Error("cannot lock " + path + ": " + std::strerror(err));
      }
    }
    return LockFile(fd);
  }
  LockFile(LockFile&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  LockFile& operator=(LockFile&&) = delete;
  ~LockFile() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }

 private:
  explicit LockFile(int fd) : fd_(fd) {}
  int fd_;
};

// Deletes the namespaces (killing what runs inside) and links named by this
// file for which `stale(name, owner pid)` holds.
Status remove_leftovers(const std::function<bool(const std::string&, pid_t)>& stale) {
  Result<std::vector<std::string>> netns = list_netns();
  if (!netns.ok()) return Error(netns.error());
  for (const std::string& name : *netns) {
    pid_t owner = owner_of(name, kNetnsPrefix, 10);
    if (owner == 0 || !stale(name, owner)) continue;
    kill_processes_in(name);
    (void)run_command({"ip", "netns", "del", name});
  }
  Result<std::vector<std::string>> links = list_links();
  if (!links.ok()) return Error(links.error());
  for (const std::string& name : *links) {
    pid_t owner = owner_of(name, kVethPrefix, 16);
    if (owner == 0) owner = owner_of(name, kBridgePrefix, 16);
    if (owner == 0 || !stale(name, owner)) continue;
    // Fails harmlessly for a veth that went with its namespace meanwhile.
    (void)run_command({"ip", "link", "del", name});
  }
  return ok_status();
}

}  // namespace

Status run_in_network_namespace(const std::string& netns_path, const std::function<void()>& fn) {
  int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot open " + netns_path + ": " + std::strerror(errno));
  // setns() moves only the calling thread, so a throwaway thread joins the
  // namespace and the test's threads stay where they are.
  Status status;
  std::thread worker([&] {
    if (::setns(fd, CLONE_NEWNET) != 0) {
      status = Error("cannot enter " + netns_path + ": " + std::strerror(errno));
      return;
    }
    fn();
  });
  worker.join();
  ::close(fd);
  return status;
}

Status Host::partition() {
  Result<std::string> out = run_checked({"ip", "link", "set", link_, "down"});
  if (!out.ok()) return Error("cannot partition host " + name_ + ": " + out.error());
  partitioned_ = true;
  return ok_status();
}

Status Host::heal() {
  Result<std::string> out = run_checked({"ip", "link", "set", link_, "up"});
  if (!out.ok()) return Error("cannot heal host " + name_ + ": " + out.error());
  partitioned_ = false;
  return ok_status();
}

Status Host::in_namespace(const std::function<void()>& fn) const {
  return run_in_network_namespace(netns_path(), fn);
}

Result<pid_t> Host::run(const process::ProcessSpec& spec) const {
  Result<pid_t> pid = Error("not started");
  Status entered = in_namespace([&] { pid = process::launch_process(spec); });
  if (!entered.ok()) return Error(entered.error());
  if (!pid.ok()) return Error("on host " + name_ + ": " + pid.error());
  return pid;
}

Result<std::unique_ptr<TestNetwork>> TestNetwork::create(Options options) {
  if (::geteuid() != 0) return Error("a test network needs root (netns, veth, bridge)");
  if (options.subnet < 0 || options.subnet > 254) {
    return Error("subnet must be 1..254 (10.200.N.0/24), or 0 to pick one; got " +
                 std::to_string(options.subnet));
  }
  Result<std::string> ip = find_program("ip");
  if (!ip.ok()) return Error("the test network needs iproute2: " + ip.error());

  Result<LockFile> lock = LockFile::acquire(kLockPath);
  if (!lock.ok()) return Error(lock.error());
  // Leftovers of crashed runs would hold subnets and names; failures here
  // only mean more subnets look taken.
  (void)cleanup_stale();

  const int instance = next_instance++;
  const std::string bridge = kBridgePrefix + hex(::getpid()) + "-" + hex(instance);
  // A crashed process with our pid (reused since) may have left the very
  // names this network is about to take.
  const std::string veth_prefix = kVethPrefix + hex(::getpid()) + "-" + hex(instance) + "-";
  const std::string netns_prefix =
      kNetnsPrefix + std::to_string(::getpid()) + "-" + std::to_string(instance) + "-";
  (void)remove_leftovers([&](const std::string& name, pid_t) {
    return name == bridge || name.rfind(veth_prefix, 0) == 0 || name.rfind(netns_prefix, 0) == 0;
  });
  Result<std::set<int>> used = used_subnets();
  if (!used.ok()) return Error(used.error());
  int subnet = options.subnet;
  if (subnet == 0) {
    for (int n = 1; n <= 254 && subnet == 0; ++n) {
      if (used->count(n) == 0) subnet = n;
    }
    if (subnet == 0) return Error("every subnet 10.200.1-254.0/24 is in use");
  } else if (used->count(subnet) != 0) {
    return Error("10.200." + std::to_string(subnet) + ".0/24 is already in use");
  }

  std::unique_ptr<TestNetwork> network(new TestNetwork(bridge, subnet, instance));
  Result<std::string> added = run_checked({"ip", "link", "add", bridge, "type", "bridge"});
  if (!added.ok()) return Error("cannot create bridge " + bridge + ": " + added.error());
  // Bridged frames skip the root namespace's iptables (br_netfilter), so a
  // host firewall with FORWARD DROP (Docker's) cannot split the test's
  // hosts. Older kernels lack the option; nothing depends on it.
  (void)run_command({"ip", "link", "set", bridge, "type", "bridge", "nf_call_iptables", "0",
                     "nf_call_arptables", "0"});
  for (const std::vector<std::string>& step :
       {std::vector<std::string>{"ip", "addr", "add", network->gateway() + "/24", "dev", bridge},
        std::vector<std::string>{"ip", "link", "set", bridge, "up"}}) {
    Result<std::string> out = run_checked(step);
    if (!out.ok()) return Error("cannot set up bridge " + bridge + ": " + out.error());
  }
  return network;
}

TestNetwork::~TestNetwork() {
  (void)destroy();
}

Result<Host*> TestNetwork::add_host(const std::string& name) {
  if (destroyed_) return Error("the test network is destroyed");
  if (name.empty() || name.size() > 32 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos) {
    return Error("host name '" + name +
                 "' must be 1-32 letters, digits, '-', '_' or '.' (it names a namespace)");
  }
  if (host(name) != nullptr) return Error("there is already a host named " + name);
  const int index = static_cast<int>(hosts_.size());
  if (kFirstHostOctet + index > 254) return Error("a /24 test network holds at most 245 hosts");

  const std::string netns =
      kNetnsPrefix + std::to_string(::getpid()) + "-" + std::to_string(instance_) + "-" + name;
  const std::string link = kVethPrefix + hex(::getpid()) + "-" + hex(instance_) + "-" + hex(index);
  const std::string address =
      "10.200." + std::to_string(subnet_) + "." + std::to_string(kFirstHostOctet + index);
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "netns", "add", netns},
      {"ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", netns},
      {"ip", "link", "set", link, "master", bridge_},
      {"ip", "link", "set", link, "up"},
      {"ip", "-n", netns, "addr", "add", address + "/24", "dev", "eth0"},
      {"ip", "-n", netns, "link", "set", "lo", "up"},
      {"ip", "-n", netns, "link", "set", "eth0", "up"},
      {"ip", "-n", netns, "route", "add", "default", "via", gateway()},
  };
  for (const std::vector<std::string>& step : steps) {
    Result<std::string> out = run_checked(step);
    if (!out.ok()) {
      (void)run_command({"ip", "link", "del", link});
      (void)run_command({"ip", "netns", "del", netns});
      return Error("cannot add host " + name + ": " + out.error());
    }
  }
  hosts_.push_back(std::unique_ptr<Host>(new Host(name, netns, address, link)));
  return hosts_.back().get();
}

Host* TestNetwork::host(const std::string& name) const {
  for (const std::unique_ptr<Host>& h : hosts_) {
    if (h->name() == name) return h.get();
  }
  return nullptr;
}

std::string TestNetwork::gateway() const {
  return "10.200." + std::to_string(subnet_) + ".1";
}

std::string TestNetwork::cidr() const {
  return "10.200." + std::to_string(subnet_) + ".0/24";
}

Status TestNetwork::destroy() {
  if (destroyed_) return ok_status();
  destroyed_ = true;
  Status first;
  auto step = [&first](const std::vector<std::string>& argv) {
    Result<std::string> out = run_checked(argv);
    if (!out.ok() && first.ok()) first = Error(out.error());
  };
  for (const std::unique_ptr<Host>& h : hosts_) {
    kill_processes_in(h->netns());
  }
  for (const std::unique_ptr<Host>& h : hosts_) {
    // Deleting our end takes the peer with it, at once; the namespace
    // itself goes when its last process has.
    step({"ip", "link", "del", h->link()});
    step({"ip", "netns", "del", h->netns()});
  }
  step({"ip", "link", "del", bridge_});
  return first;
}

Status TestNetwork::cleanup_stale() {
  return remove_leftovers([](const std::string&, pid_t owner) { return !process_exists(owner); });
}

}  // namespace cairn::e2e
