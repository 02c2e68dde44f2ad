// Self-tests of the e2e infrastructure against the real thing: namespaces
// and a bridge, netcat, ZooKeeper on Java. What Cairn's e2e tests rely on
// (partitions cut TCP both ways, an ensemble elects one leader and re-elects
// after losing it) is checked here first, so their failures point at Cairn.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "tests/e2e/testing/command.hpp"
#include "tests/e2e/testing/daemon_process.hpp"
#include "tests/e2e/testing/eventually.hpp"
#include "tests/e2e/testing/network.hpp"
#include "tests/e2e/testing/tcp.hpp"
#include "tests/e2e/testing/temp_dir.hpp"
#include "tests/e2e/testing/zookeeper_ensemble.hpp"

namespace cairn::e2e {
namespace {

#define ASSERT_OK(expr)                                             \
  do {                                                              \
    const auto& assert_ok_result = (expr);                          \
    ASSERT_TRUE(assert_ok_result.ok()) << assert_ok_result.error(); \
  } while (0)

#define SKIP_UNLESS_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, veth, bridge)"

#define SKIP_UNLESS_ZOOKEEPER()                                                 \
  if (Status zk_available = ZooKeeperEnsemble::available(); !zk_available.ok()) \
  GTEST_SKIP() << zk_available.error()

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class E2eInfraTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::create("cairn-e2e-infra");
    ASSERT_OK(dir);
    work_.emplace(std::move(dir).value());
  }
  void TearDown() override {
    if (HasFailure() && work_) {
      work_->keep();
      std::fprintf(stderr, "logs kept in %s\n", work_->path().c_str());
    }
  }
  std::string work(const std::string& relative) const { return work_->file(relative); }

  std::optional<TempDir> work_;
};

// Connects from `from`'s namespace to address:port; a refused or
// unanswered connection fails within `timeout`.
Status probe(const Host& from, const std::string& address, int port,
             Duration timeout = Duration::milliseconds(1500)) {
  Status connected = Error("the probe did not run");
  Status entered = from.in_namespace([&] { connected = tcp_connect(address, port, timeout); });
  if (!entered.ok()) return entered;
  return connected;
}

// A blocking TCP connection made from `from`'s namespace, -1 on failure.
int connect_from(const Host& from, const std::string& address, int port) {
  int fd = -1;
  (void)from.in_namespace([&] {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    if (::connect(s, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) {
      fd = s;
    } else {
      ::close(s);
    }
  });
  return fd;
}

bool send_all(int fd, const std::string& data) {
  return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

TEST_F(E2eInfraTest, RunCommandReportsExitCodeAndOutput) {
  Result<CommandOutput> out = run_command({"sh", "-c", "echo to-out; echo to-err >&2; exit 4"});
  ASSERT_OK(out);
  EXPECT_EQ(out->exit_code, 4);
  EXPECT_NE(out->output.find("to-out"), std::string::npos) << out->output;
  EXPECT_NE(out->output.find("to-err"), std::string::npos) << out->output;

  Result<std::string> failed = run_checked({"sh", "-c", "echo why; exit 2"});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("why"), std::string::npos) << failed.error();
  EXPECT_FALSE(run_command({"no-such-program-cairn"}).ok());
}

TEST_F(E2eInfraTest, EventuallyPollsUntilTrueOrTimeout) {
  int calls = 0;
  EXPECT_TRUE(
      eventually([&] { return ++calls == 3; }, Duration::seconds(30), Duration::milliseconds(1)));
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(
      eventually([] { return false; }, Duration::milliseconds(50), Duration::milliseconds(10)));
}

TEST_F(E2eInfraTest, DaemonProcessLogsSignalsAndRestarts) {
  DaemonProcess::Options options;
  options.argv = {"sh", "-c", "echo started $FLAVOUR; exec sleep 1000"};
  options.environment = {{"FLAVOUR", "vanilla"}};
  options.log_path = work("daemon/daemon.log");
  Result<std::unique_ptr<DaemonProcess>> launched = DaemonProcess::launch(options);
  ASSERT_OK(launched);
  DaemonProcess& daemon = **launched;
  const pid_t first = daemon.pid();
  EXPECT_TRUE(daemon.alive());
  ASSERT_TRUE(
      eventually([&] { return daemon.log_tail(1) == "started vanilla"; }, Duration::seconds(10)))
      << daemon.log_tail();
  EXPECT_FALSE(daemon.start().ok()) << "a running daemon must not start twice";

  ASSERT_OK(daemon.kill(SIGTERM));
  Result<int> code = daemon.wait_exit(Duration::seconds(10));
  ASSERT_OK(code);
  EXPECT_EQ(*code, 128 + SIGTERM);
  EXPECT_FALSE(daemon.alive());
  EXPECT_FALSE(daemon.kill(SIGTERM).ok());

  ASSERT_OK(daemon.restart());
  EXPECT_NE(daemon.pid(), first);
  EXPECT_TRUE(daemon.alive());
  ASSERT_OK(daemon.restart());  // also from running
  Result<int> stopped = daemon.stop(Duration::seconds(10));
  ASSERT_OK(stopped);
  EXPECT_EQ(*stopped, 128 + SIGTERM);
  // Three starts, each marked in the log.
  const std::string log = daemon.log_tail(100);
  size_t starts = 0;
  for (size_t at = log.find("=== start"); at != std::string::npos;
       at = log.find("=== start", at + 1)) {
    ++starts;
  }
  EXPECT_EQ(starts, 3u) << log;

  DaemonProcess::Options exiting;
  exiting.argv = {"sh", "-c", "echo bye; exit 3"};
  exiting.log_path = work("daemon/exiting.log");
  Result<std::unique_ptr<DaemonProcess>> short_lived = DaemonProcess::launch(exiting);
  ASSERT_OK(short_lived);
  Result<int> exit = (*short_lived)->wait_exit(Duration::seconds(10));
  ASSERT_OK(exit);
  EXPECT_EQ(*exit, 3);
  EXPECT_EQ((*short_lived)->log_tail(1), "bye");

  DaemonProcess::Options missing;
  missing.argv = {"/nonexistent/cairn-master"};
  missing.log_path = work("daemon/missing.log");
  EXPECT_FALSE(DaemonProcess::launch(missing).ok());
}

TEST_F(E2eInfraTest, FindBinaryLooksInTheBuildTree) {
  Result<std::string> self = find_binary("e2e_infra_test");
  ASSERT_OK(self);
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(*self, std::string(exe, static_cast<size_t>(n)));
  Result<std::string> missing = find_binary("no-such-cairn-binary");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("no-such-cairn-binary"), std::string::npos);
}

TEST_F(E2eInfraTest, PartitionCutsTcpBothWaysAndHealRestoresIt) {
  SKIP_UNLESS_ROOT();
  if (!find_program("nc").ok()) GTEST_SKIP() << "needs nc (netcat-openbsd)";
  Result<std::unique_ptr<TestNetwork>> created = TestNetwork::create();
  ASSERT_OK(created);
  TestNetwork& net = **created;
  Result<Host*> added1 = net.add_host("h1");
  ASSERT_OK(added1);
  Result<Host*> added2 = net.add_host("h2");
  ASSERT_OK(added2);
  const Host& h1 = **added1;
  Host& h2 = **added2;
  EXPECT_EQ(h1.address(), "10.200." + std::to_string(net.subnet()) + ".10");
  EXPECT_EQ(h2.address(), "10.200." + std::to_string(net.subnet()) + ".11");

  // A listening process inside h1, bound to h1's address only.
  DaemonProcess::Options listener;
  listener.argv = {"nc", "-dlk", h1.address(), "7000"};
  listener.log_path = work("nc.log");
  listener.host = &h1;
  Result<std::unique_ptr<DaemonProcess>> nc = DaemonProcess::launch(listener);
  ASSERT_OK(nc);
  // And a listening socket inside h2, for the other direction.
  std::optional<TcpListener> h2_listener;
  ASSERT_OK(h2.in_namespace([&] {
    Result<TcpListener> opened = TcpListener::open(h2.address(), 7001);
    if (opened.ok()) h2_listener.emplace(std::move(opened).value());
  }));
  ASSERT_TRUE(h2_listener.has_value());

  ASSERT_TRUE(eventually([&] { return probe(h2, h1.address(), 7000).ok(); }, Duration::seconds(10)))
      << probe(h2, h1.address(), 7000).error() << "\n"
      << (*nc)->log_tail();
  ASSERT_OK(probe(h1, h2.address(), 7001));
  ASSERT_OK(tcp_connect(h1.address(), 7000, Duration::seconds(2)));  // from the test itself
  // The port is h1's alone: h2 has nothing on it.
  EXPECT_FALSE(tcp_connect(h2.address(), 7000, Duration::seconds(1)).ok());

  // An established connection h2 -> h1 (nc writes what it receives to its log).
  int connection = connect_from(h2, h1.address(), 7000);
  ASSERT_GE(connection, 0);
  auto nc_received = [&nc](const std::string& line) {
    return (*nc)->log_tail(100).find(line) != std::string::npos;
  };
  ASSERT_TRUE(send_all(connection, "before-partition\n"));
  ASSERT_TRUE(eventually([&] { return nc_received("before-partition"); }, Duration::seconds(10)));

  ASSERT_OK((*added1)->partition());
  EXPECT_TRUE(h1.partitioned());
  // On a working link these connect in well under a millisecond.
  const Duration short_wait = Duration::milliseconds(500);
  EXPECT_FALSE(probe(h2, h1.address(), 7000, short_wait).ok()) << "h2 -> h1 during the partition";
  EXPECT_FALSE(probe(h1, h2.address(), 7001, short_wait).ok()) << "h1 -> h2 during the partition";
  EXPECT_FALSE(tcp_connect(h1.address(), 7000, short_wait).ok())
      << "test -> h1 during the partition";
  // The established connection stalls: sending is accepted locally, nothing
  // arrives, and there is no reset.
  ASSERT_TRUE(send_all(connection, "during-partition\n"));
  EXPECT_FALSE(eventually([&] { return nc_received("during-partition"); }, Duration::seconds(1)));
  EXPECT_TRUE((*nc)->alive()) << "a partition does not stop processes";

  ASSERT_OK((*added1)->heal());
  EXPECT_FALSE(h1.partitioned());
  EXPECT_TRUE(
      eventually([&] { return probe(h2, h1.address(), 7000).ok(); }, Duration::seconds(10)));
  EXPECT_TRUE(
      eventually([&] { return probe(h1, h2.address(), 7001).ok(); }, Duration::seconds(10)));
  // TCP's retransmission delivers what was sent during the partition.
  EXPECT_TRUE(eventually([&] { return nc_received("during-partition"); }, Duration::seconds(30)))
      << (*nc)->log_tail();
  EXPECT_TRUE(send_all(connection, "after-heal\n"));
  EXPECT_TRUE(eventually([&] { return nc_received("after-heal"); }, Duration::seconds(10)));
  ::close(connection);
}

TEST_F(E2eInfraTest, DestroyAndCleanupStaleRemoveEverything) {
  SKIP_UNLESS_ROOT();
  Result<std::unique_ptr<TestNetwork>> created = TestNetwork::create();
  ASSERT_OK(created);
  Result<Host*> host = (*created)->add_host("solo");
  ASSERT_OK(host);
  EXPECT_FALSE((*created)->add_host("solo").ok()) << "host names are unique";
  EXPECT_FALSE((*created)->add_host("bad name").ok());
  const std::string bridge = (*created)->bridge();
  const std::string netns = (*host)->netns();
  const std::string link = (*host)->link();
  // A process left inside must not keep the namespace alive.
  process::ProcessSpec sleeper;
  sleeper.argv = {"/bin/sleep", "1000"};
  Result<pid_t> pid = (*host)->run(sleeper);
  ASSERT_OK(pid);

  ASSERT_OK((*created)->destroy());
  int status = 0;
  ASSERT_EQ(::waitpid(*pid, &status, 0), *pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_NE(run_command({"ip", "link", "show", bridge})->exit_code, 0);
  EXPECT_NE(run_command({"ip", "link", "show", link})->exit_code, 0);
  EXPECT_EQ(run_checked({"ip", "netns", "list"}).value_or("").find(netns), std::string::npos);

  // Leftovers of a process that no longer exists, named the same way.
  pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  char hex[16];
  std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(dead));
  const std::string stale_bridge = "ceb" + std::string(hex) + "-0";
  const std::string stale_netns = "ce2e-" + std::to_string(dead) + "-0-x";
  ASSERT_OK(run_checked({"ip", "link", "add", stale_bridge, "type", "bridge"}));
  ASSERT_OK(run_checked({"ip", "netns", "add", stale_netns}));
  ASSERT_OK(TestNetwork::cleanup_stale());
  EXPECT_NE(run_command({"ip", "link", "show", stale_bridge})->exit_code, 0);
  EXPECT_EQ(run_checked({"ip", "netns", "list"}).value_or("").find(stale_netns), std::string::npos);
}

TEST_F(E2eInfraTest, StandaloneZooKeeperOnLoopback) {
  SKIP_UNLESS_ZOOKEEPER();
  Result<int> port = free_tcp_port("127.0.0.1");
  ASSERT_OK(port);
  ZooKeeperEnsemble::Options options;
  options.work_dir = work("zk");
  options.servers = {{.address = "127.0.0.1", .client_port = *port}};
  Result<std::unique_ptr<ZooKeeperEnsemble>> launched = ZooKeeperEnsemble::launch(options);
  ASSERT_OK(launched);
  ZooKeeperEnsemble& zk = **launched;
  EXPECT_EQ(zk.connect_string(), "127.0.0.1:" + std::to_string(*port));

  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(zk.wait_ready(Duration::seconds(60)));
  std::printf("[ timing ] standalone ZooKeeper ready after %.1f s\n", seconds_since(start));
  EXPECT_EQ(zk.mode(0), "standalone");
  Result<std::string> ruok = ZooKeeperEnsemble::four_letter_word("127.0.0.1", *port, "ruok");
  ASSERT_OK(ruok);
  EXPECT_EQ(*ruok, "imok");

  ASSERT_OK(zk.kill(0));
  EXPECT_FALSE(zk.running(0));
  EXPECT_EQ(zk.mode(0), "");
  ASSERT_OK(zk.start(0));
  ASSERT_OK(zk.wait_ready(Duration::seconds(60)));
  EXPECT_EQ(zk.mode(0), "standalone");
}

// Without root: the testbed recipe's loopback addresses, with ports nobody
// else uses so parallel test binaries do not collide.
TEST_F(E2eInfraTest, ThreeNodeEnsembleOnLoopback) {
  SKIP_UNLESS_ZOOKEEPER();
  ZooKeeperEnsemble::Options options;
  options.work_dir = work("zk");
  for (const char* address : {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
    Result<std::vector<int>> ports = free_tcp_ports(address, 3);
    ASSERT_OK(ports);
    ZooKeeperEnsemble::Server server{.address = address,
                                     .client_port = (*ports)[0],
                                     .quorum_port = (*ports)[1],
                                     .election_port = (*ports)[2]};
    options.servers.push_back(server);
  }
  Result<std::unique_ptr<ZooKeeperEnsemble>> launched = ZooKeeperEnsemble::launch(options);
  ASSERT_OK(launched);
  ZooKeeperEnsemble& zk = **launched;
  ASSERT_OK(zk.wait_ready(Duration::seconds(30)));
  EXPECT_TRUE(eventually([&] { return zk.leader().has_value(); }, Duration::seconds(30)));
}

TEST_F(E2eInfraTest, ThreeNodeEnsembleOnHostsReelectsAfterLosingItsLeader) {
  SKIP_UNLESS_ROOT();
  SKIP_UNLESS_ZOOKEEPER();
  Result<std::unique_ptr<TestNetwork>> created = TestNetwork::create();
  ASSERT_OK(created);
  TestNetwork& net = **created;
  ZooKeeperEnsemble::Options options;
  options.work_dir = work("zk");
  for (const char* name : {"zk1", "zk2", "zk3"}) {
    Result<Host*> host = net.add_host(name);
    ASSERT_OK(host);
    options.servers.push_back({.address = (*host)->address(), .host = *host});
  }
  Result<std::unique_ptr<ZooKeeperEnsemble>> launched = ZooKeeperEnsemble::launch(options);
  ASSERT_OK(launched);
  ZooKeeperEnsemble& zk = **launched;
  EXPECT_EQ(zk.connect_string(), net.hosts()[0]->address() + ":2181," + net.hosts()[1]->address() +
                                     ":2181," + net.hosts()[2]->address() + ":2181");

  auto count = [&zk](const std::string& mode) {
    int n = 0;
    for (size_t i = 0; i < zk.size(); ++i)
      n += zk.mode(i) == mode ? 1 : 0;
    return n;
  };
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(zk.wait_ready(Duration::seconds(30)));
  std::printf("[ timing ] 3-node ensemble ready after %.1f s\n", seconds_since(start));
  // Modes are read one server at a time; let a settling ensemble settle.
  ASSERT_TRUE(eventually([&] { return count("leader") == 1 && count("follower") == 2; },
                         Duration::seconds(30)))
      << zk.mode(0) << "/" << zk.mode(1) << "/" << zk.mode(2);
  std::optional<size_t> old_leader = zk.leader();
  ASSERT_TRUE(old_leader.has_value());

  ASSERT_OK(zk.kill(*old_leader));
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(zk.mode(*old_leader), "");
  ASSERT_TRUE(eventually([&] { return count("leader") == 1 && count("follower") == 1; },
                         Duration::seconds(30)))
      << "no new leader among the other two; log of one:\n"
      << zk.log_tail((*old_leader + 1) % 3);
  std::printf("[ timing ] new leader %zu elected %.1f s after killing leader %zu\n",
              *zk.leader() + 1, seconds_since(start), *old_leader + 1);
  EXPECT_NE(zk.leader(), old_leader);

  ASSERT_OK(zk.start(*old_leader));
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return zk.mode(*old_leader) == "follower"; }, Duration::seconds(30)))
      << zk.log_tail(*old_leader);
  std::printf("[ timing ] old leader rejoined as follower after %.1f s\n", seconds_since(start));
  EXPECT_EQ(count("leader"), 1);
  EXPECT_EQ(count("follower"), 2);
}

}  // namespace
}  // namespace cairn::e2e
