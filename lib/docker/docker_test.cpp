// DockerClient against a real Docker engine that the test starts itself.
//
// The engine is testing::TestEngine (lib/docker/testing/test_engine.hpp): a
// private dockerd in a network namespace when possible (bridge networking
// and port publishing tested too), otherwise with --bridge=none (the bridge
// test skips), with the test image built from host binaries and imported.
// Containers are named "mesos-<pid>-<what>" and labelled with this run;
// their sandboxes live in a temporary directory of the suite. At the end
// every container is removed and dockerd is stopped even when tests
// failed. Skips only when not root or dockerd is not installed.
// CAIRN_DOCKER_TEST_NO_NETNS=1 forces the --bridge=none recipe.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "lib/docker/docker_client.hpp"
#include "lib/docker/testing/test_engine.hpp"

namespace cairn::docker {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::fetch_until;
using testing::TestEngine;

constexpr const char* kImage = testing::kTestImage;
constexpr char kRunLabel[] = "cairn.test.run";

std::string run_id() {
  return std::to_string(::getpid());
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---------------------------------------------------------------------------

class DockerEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new TestEngine;
    engine_->start();
  }
  static void TearDownTestSuite() {
    engine_->stop();  // removes the containers, which hold the sandboxes' mounts
    delete engine_;
    engine_ = nullptr;
    if (!sandboxes_.empty()) {
      std::error_code ec;
      fs::remove_all(sandboxes_, ec);
      sandboxes_.clear();
    }
  }
  void SetUp() override {
    if (!engine_->skip_reason().empty()) GTEST_SKIP() << engine_->skip_reason();
    ASSERT_TRUE(engine_->ready()) << engine_->failure();
  }

  const DockerClient& client() { return engine_->client(); }

  // A fresh directory for one container's sandbox, in a temporary directory
  // of the suite.
  static std::string make_sandbox(const std::string& name) {
    if (sandboxes_.empty()) {
      std::string path = "/tmp/cairn-docker-sandboxes-XXXXXX";
      if (!::mkdtemp(path.data())) throw std::runtime_error("mkdtemp failed");
      sandboxes_ = path;
    }
    std::string path = sandboxes_ + "/" + name;
    fs::create_directories(path);
    return path;
  }

  // A container of this run: "mesos-<pid>-<what>", labelled for clean-up,
  // without networking unless the test says otherwise.
  static ContainerSpec spec_for(const std::string& what) {
    ContainerSpec spec;
    spec.name = mesos_container_name(run_id() + "-" + what);
    spec.image = kImage;
    spec.labels = {{kRunLabel, run_id()}, {"cairn.task_id", what}};
    spec.network_mode = "none";
    return spec;
  }

  std::string create_and_start(const ContainerSpec& spec) {
    auto id = client().create_container(spec);
    EXPECT_TRUE(id.ok()) << id.error();
    if (!id.ok()) return "";
    Status started = client().start(*id);
    EXPECT_TRUE(started.ok()) << started.error();
    return *id;
  }

  static TestEngine* engine_;
  static std::string sandboxes_;
};

TestEngine* DockerEngineTest::engine_ = nullptr;
std::string DockerEngineTest::sandboxes_;

TEST_F(DockerEngineTest, ReportsTheEngineVersion) {
  auto version = client().version();
  ASSERT_TRUE(version.ok()) << version.error();
  EXPECT_EQ(version->api_version, "1.41");
  EXPECT_EQ(version->os, "linux");
  EXPECT_FALSE(version->version.empty());
  EXPECT_TRUE(check_engine(*version).ok());
}

TEST_F(DockerEngineTest, RunsACommandAndCollectsItsLogsAndExitCode) {
  std::string sandbox = make_sandbox("logs");
  ContainerSpec spec = spec_for("logs");
  spec.set_shell_command("echo out; echo err >&2; sleep 1; exit 3");
  spec.sandbox_dir = sandbox;
  auto id = client().create_container(spec);
  ASSERT_TRUE(id.ok()) << id.error();
  auto created = client().inspect(*id);
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(created->status, "created");
  EXPECT_FALSE(created->started_at);

  auto start = Clock::now();
  ASSERT_TRUE(client().start(*id).ok());
  Status followed = client().follow_logs(*id, sandbox + "/stdout", sandbox + "/stderr");
  ASSERT_TRUE(followed.ok()) << followed.error();
  EXPECT_GE(seconds_since(start), 0.8) << "follow_logs returns when the container stops";
  auto code = client().wait(*id);
  ASSERT_TRUE(code.ok()) << code.error();
  EXPECT_EQ(*code, 3);
  EXPECT_EQ(read_text(sandbox + "/stdout"), "out\n");
  EXPECT_EQ(read_text(sandbox + "/stderr"), "err\n");

  auto state = client().inspect(*id);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->id, *id);
  EXPECT_EQ(state->name, spec.name);
  EXPECT_EQ(state->image, kImage);
  EXPECT_EQ(state->status, "exited");
  EXPECT_FALSE(state->running);
  EXPECT_FALSE(state->oom_killed);
  EXPECT_EQ(state->exit_code, 3);
  EXPECT_EQ(state->pid, 0);
  EXPECT_EQ(state->labels.at("cairn.task_id"), "logs");
  ASSERT_TRUE(state->started_at && state->finished_at);
  EXPECT_GE(*state->finished_at - *state->started_at, std::chrono::milliseconds(900));

  // Following an exited container's logs appends them again at once;
  // `since` skips what came before.
  ASSERT_TRUE(client().follow_logs(*id, sandbox + "/stdout", sandbox + "/stderr").ok());
  EXPECT_EQ(read_text(sandbox + "/stdout"), "out\nout\n");
  ASSERT_TRUE(client()
                  .follow_logs(*id, sandbox + "/stdout", sandbox + "/stderr", {},
                               *state->finished_at + std::chrono::seconds(1))
                  .ok());
  EXPECT_EQ(read_text(sandbox + "/stdout"), "out\nout\n");
}

TEST_F(DockerEngineTest, AppliesEnvironmentUserWorkingDirAndSandbox) {
  std::string sandbox = make_sandbox("env");
  fs::permissions(sandbox, fs::perms::all);  // writable by the container's user
  ContainerSpec spec = spec_for("env");
  spec.sandbox_dir = sandbox;
  spec.environment = {{"FOO", "bar baz"}, {"MESOS_SANDBOX", std::string(kSandboxMountPoint)}};
  spec.user = "65534:65534";
  spec.working_dir = "/tmp";
  spec.hostname = "task-host";
  spec.set_shell_command(
      "echo \"$FOO|$(id -u)|$(pwd)|$(cat /etc/hostname)\" > \"$MESOS_SANDBOX/seen\"");
  std::string id = create_and_start(spec);
  auto code = client().wait(id);
  ASSERT_TRUE(code.ok()) << code.error();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(read_text(sandbox + "/seen"), "bar baz|65534|/tmp|task-host\n");

  // An argv command with the image's (empty) entrypoint.
  ContainerSpec argv = spec_for("argv");
  argv.command = {"/bin/sh", "-c", "exit 7"};
  std::string argv_id = create_and_start(argv);
  auto argv_code = client().wait(argv_id);
  ASSERT_TRUE(argv_code.ok()) << argv_code.error();
  EXPECT_EQ(*argv_code, 7);
}

TEST_F(DockerEngineTest, KillsAContainerThatGoesOverItsMemoryLimit) {
  ContainerSpec spec = spec_for("oom");
  spec.memory_limit = Bytes(50 * Bytes::MB);
  spec.set_shell_command(R"(x=$(head -c 200000000 /dev/zero | tr "\0" a); echo ${#x})");
  std::string id = create_and_start(spec);
  auto code = client().wait(id);
  ASSERT_TRUE(code.ok()) << code.error();
  EXPECT_EQ(*code, 137);
  auto state = client().inspect(id);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_TRUE(state->oom_killed);
  EXPECT_EQ(state->exit_code, 137);
}

TEST_F(DockerEngineTest, StopsAfterTheGracePeriod) {
  // sleep as the container's init ignores SIGTERM: stop must SIGKILL it.
  ContainerSpec spec = spec_for("stop");
  spec.command = {"sleep", "1000"};
  std::string id = create_and_start(spec);
  auto running = client().inspect(id);
  ASSERT_TRUE(running.ok()) << running.error();
  EXPECT_TRUE(running->running);
  EXPECT_EQ(running->status, "running");
  ASSERT_GT(running->pid, 0);
  EXPECT_EQ(::kill(running->pid, 0), 0) << "the pid is a host pid";

  auto start = Clock::now();
  Status stopped = client().stop(id, Duration::seconds(1));
  ASSERT_TRUE(stopped.ok()) << stopped.error();
  EXPECT_GE(seconds_since(start), 0.9);
  EXPECT_LT(seconds_since(start), 15);
  auto state = client().inspect(id);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_FALSE(state->running);
  EXPECT_EQ(state->exit_code, 137);
  EXPECT_TRUE(client().stop(id, Duration::seconds(1)).ok()) << "stopping a stopped container";

  // A container that handles SIGTERM ends within the grace period.
  ContainerSpec polite = spec_for("polite");
  polite.set_shell_command("trap 'exit 0' TERM; while :; do sleep 0.1; done");
  std::string polite_id = create_and_start(polite);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  start = Clock::now();
  ASSERT_TRUE(client().stop(polite_id, Duration::seconds(20)).ok());
  EXPECT_LT(seconds_since(start), 10);
  auto polite_state = client().inspect(polite_id);
  ASSERT_TRUE(polite_state.ok());
  EXPECT_EQ(polite_state->exit_code, 0);
}

TEST_F(DockerEngineTest, KillsWithASignal) {
  ContainerSpec spec = spec_for("kill");
  spec.command = {"sleep", "1000"};
  std::string id = create_and_start(spec);
  ASSERT_TRUE(client().kill(id, SIGKILL).ok());
  auto code = client().wait(id);
  ASSERT_TRUE(code.ok()) << code.error();
  EXPECT_EQ(*code, 137);
  Status again = client().kill(id);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("is not running"), std::string::npos) << again.error();
  EXPECT_NE(again.error().find("(HTTP 409)"), std::string::npos) << again.error();
}

TEST_F(DockerEngineTest, ListsContainersByLabelAndName) {
  std::string group = "group-" + run_id();
  std::vector<std::string> ids;
  for (const char* what : {"list-a", "list-b", "list-other"}) {
    ContainerSpec spec = spec_for(what);
    spec.command = {"sleep", "1"};
    if (std::string(what) != "list-other") spec.labels["cairn.test.group"] = group;
    auto id = client().create_container(spec);
    ASSERT_TRUE(id.ok()) << id.error();
    ids.push_back(*id);
  }
  ContainerFilter filter;
  filter.labels = {"cairn.test.group=" + group};
  auto listed = client().list(filter);
  ASSERT_TRUE(listed.ok()) << listed.error();
  std::vector<std::string> found;
  for (const auto& c : *listed) {
    found.push_back(c.id);
    EXPECT_EQ(c.state, "created");
    EXPECT_EQ(c.image, kImage);
    EXPECT_EQ(c.labels.at("cairn.test.group"), group);
    ASSERT_EQ(c.names.size(), 1u);
    EXPECT_EQ(c.names[0].rfind(mesos_container_name(run_id() + "-list-"), 0), 0u) << c.names[0];
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> expected = {ids[0], ids[1]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);

  ContainerFilter by_name;
  by_name.name = "^/?" + mesos_container_name(run_id() + "-list-");
  auto named = client().list(by_name);
  ASSERT_TRUE(named.ok()) << named.error();
  EXPECT_EQ(named->size(), 3u);

  ContainerFilter running = filter;
  running.include_stopped = false;
  auto none = client().list(running);
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->empty()) << "created containers do not run";
}

TEST_F(DockerEngineTest, RemovesContainers) {
  ContainerSpec spec = spec_for("remove");
  spec.command = {"sleep", "1000"};
  std::string id = create_and_start(spec);
  Status refused = client().remove(id);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("(HTTP 409)"), std::string::npos) << refused.error();
  ASSERT_TRUE(client().remove(id, true).ok());
  auto exists = client().exists(id);
  ASSERT_TRUE(exists.ok()) << exists.error();
  EXPECT_FALSE(*exists);
  auto gone = client().inspect(id);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().find("No such container"), std::string::npos) << gone.error();
  EXPECT_NE(gone.error().find("(HTTP 404)"), std::string::npos) << gone.error();
  EXPECT_TRUE(client().remove(id, true).ok()) << "removing twice is fine";
}

TEST_F(DockerEngineTest, AppliesCpuLimitsAndReportsStats) {
  ContainerSpec spec = spec_for("stats");
  spec.memory_limit = Bytes(64 * Bytes::MB);
  spec.cpu_shares = 256;
  spec.cpu_period = Duration::milliseconds(100);
  spec.cpu_quota = Duration::milliseconds(20);
  spec.set_shell_command("while :; do :; done");
  std::string id = create_and_start(spec);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto stats = client().stats(id);
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats->memory_limit, Bytes(64 * Bytes::MB));
  EXPECT_GT(stats->memory_usage.bytes(), 0u);
  EXPECT_GE(stats->pids, 1u);
  EXPECT_GT(stats->cpu_total, Duration::milliseconds(50));
  // 20ms of every 100ms: about 0.3 s of cpu in 1.5 s, and throttled.
  EXPECT_LT(stats->cpu_total, Duration::milliseconds(900));
  EXPECT_GT(stats->cpu_periods, 5u);
  EXPECT_GT(stats->cpu_throttled_periods, 5u);
  EXPECT_GT(stats->cpu_throttled, Duration());
  EXPECT_GT(stats->online_cpus, 0u);

  std::string cgroup = "/sys/fs/cgroup/cpu/docker/" + id;
  if (fs::exists(cgroup)) {
    EXPECT_EQ(read_text(cgroup + "/cpu.shares"), "256\n");
    EXPECT_EQ(read_text(cgroup + "/cpu.cfs_quota_us"), "20000\n");
    EXPECT_EQ(read_text(cgroup + "/cpu.cfs_period_us"), "100000\n");
  }
  ASSERT_TRUE(client().kill(id).ok());
}

TEST_F(DockerEngineTest, UsesHostNetworking) {
  uint16_t port = static_cast<uint16_t>(20000 + ::getpid() % 10000);
  ContainerSpec spec = spec_for("host-net");
  spec.network_mode = "host";
  spec.command = {"/bin/responder", std::to_string(port), "hello from host networking"};
  std::string id = create_and_start(spec);
  EXPECT_EQ(fetch_until(engine_->netns(), port, "hello from host networking\n"),
            "hello from host networking\n");
  auto state = client().inspect(id);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->network_mode, "host");
  EXPECT_EQ(state->ip_address, "");
  ASSERT_TRUE(client().kill(id).ok());
}

TEST_F(DockerEngineTest, PublishesPortsWithBridgeNetworking) {
  if (!engine_->bridge()) GTEST_SKIP() << "dockerd runs with --bridge=none (no network namespace)";
  ContainerSpec spec = spec_for("bridge");
  spec.network_mode = "bridge";
  spec.ports = {{8080, "tcp", 31080, ""}, {8080, "tcp", 0, "127.0.0.1"}};
  spec.command = {"/bin/responder", "8080", "hello from the bridge"};
  std::string id = create_and_start(spec);
  auto state = client().inspect(id);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->network_mode, "bridge");
  EXPECT_NE(state->ip_address, "");
  uint16_t chosen = 0;
  bool fixed = false;
  for (const auto& port : state->ports) {
    EXPECT_EQ(port.container_port, 8080);
    EXPECT_EQ(port.protocol, "tcp");
    if (port.host_port == 31080) fixed = true;
    if (port.host_ip == "127.0.0.1") chosen = port.host_port;
  }
  EXPECT_TRUE(fixed);
  ASSERT_NE(chosen, 0) << "the engine picks a host port for host_port 0";
  EXPECT_EQ(fetch_until(engine_->netns(), 31080, "hello from the bridge\n"),
            "hello from the bridge\n");
  EXPECT_EQ(fetch_until(engine_->netns(), chosen, "hello from the bridge\n"),
            "hello from the bridge\n");
  ASSERT_TRUE(client().kill(id).ok());
}

TEST_F(DockerEngineTest, WaitAndFollowLogsCanBeAbandoned) {
  ContainerSpec spec = spec_for("abandon");
  spec.set_shell_command("echo started; exec sleep 1000");
  std::string id = create_and_start(spec);
  std::string sandbox = make_sandbox("abandon");
  auto deadline_after = [](int ms) {
    auto end = Clock::now() + std::chrono::milliseconds(ms);
    return [end] { return Clock::now() < end; };
  };
  auto start = Clock::now();
  Status followed =
      client().follow_logs(id, sandbox + "/stdout", sandbox + "/stderr", deadline_after(500));
  ASSERT_TRUE(followed.ok()) << followed.error();
  EXPECT_LT(seconds_since(start), 5);
  EXPECT_EQ(read_text(sandbox + "/stdout"), "started\n");

  start = Clock::now();
  auto code = client().wait(id, deadline_after(500));
  ASSERT_FALSE(code.ok());
  EXPECT_NE(code.error().find("abandoned"), std::string::npos) << code.error();
  EXPECT_LT(seconds_since(start), 5);
  ASSERT_TRUE(client().kill(id).ok());
}

TEST_F(DockerEngineTest, ReportsTheEnginesErrors) {
  ContainerSpec missing = spec_for("missing-image");
  missing.image = "cairn/no-such-image:1";
  auto id = client().create_container(missing);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.error().find("No such image: cairn/no-such-image:1"), std::string::npos)
      << id.error();
  EXPECT_NE(id.error().find("(HTTP 404)"), std::string::npos) << id.error();

  ContainerSpec bad = spec_for("bad-image");
  bad.image = "Not A Valid/Reference";
  auto bad_id = client().create_container(bad);
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.error().find("invalid reference format"), std::string::npos) << bad_id.error();

  Status start = client().start("mesos-no-such-container");
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.error(),
            "docker start mesos-no-such-container: No such container: mesos-no-such-container "
            "(HTTP 404)");

  auto present = client().image_exists(kImage);
  ASSERT_TRUE(present.ok()) << present.error();
  EXPECT_TRUE(*present);
  auto absent = client().image_exists("cairn/no-such-image:1");
  ASSERT_TRUE(absent.ok()) << absent.error();
  EXPECT_FALSE(*absent);
  auto image = client().inspect_image(kImage);
  ASSERT_TRUE(image.ok()) << image.error();
  EXPECT_EQ(image->id.rfind("sha256:", 0), 0u);
  EXPECT_EQ(image->repo_tags, std::vector<std::string>{kImage});
  EXPECT_FALSE(client().inspect_image("cairn/no-such-image:1").ok());

  // No registry answers on 127.0.0.1:1.
  Status pulled = client().pull_image("127.0.0.1:1/cairn/nothing:1", Duration::seconds(60));
  ASSERT_FALSE(pulled.ok());
  EXPECT_NE(pulled.error().find("connection refused"), std::string::npos) << pulled.error();
}

}  // namespace
}  // namespace cairn::docker
