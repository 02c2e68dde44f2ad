// DockerClient against a real Docker engine that the test starts itself.
//
// The suite starts dockerd with its data, exec root and socket in a fresh
// temporary directory. When it can create a network namespace it runs
// dockerd there with default networking (a docker0 bridge and iptables NAT
// that touch only the namespace), so that bridge networking and port
// publishing are tested too; otherwise it uses TESTBED.md's recipe
// (--bridge=none, no iptables) and skips the bridge test. No registry is
// reachable, so the test image is built from host binaries: dash, a few
// coreutils and docker_test_responder, each with the shared libraries ldd
// names (about 3 MB, well under a second to build). The tarball is cached
// under <source>/.cache/ keyed by the inputs' sizes and times, and imported
// through DockerClient::import_image(). At the end every container is
// removed and dockerd is stopped (SIGTERM, then waited for) even when tests
// failed; should the test process die, dockerd gets SIGTERM from the kernel
// (PR_SET_PDEATHSIG). Skips only when not root or dockerd is not installed.
// CAIRN_DOCKER_TEST_NO_NETNS=1 forces the --bridge=none recipe.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "lib/docker/docker_client.hpp"

namespace cairn::docker {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kImage[] = "cairn/test-base:latest";
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

// Runs a shell command; its stdout, or an error with its output.
Result<std::string> shell(const std::string& command) {
  std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (!pipe) return Error("popen failed for: " + command);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe))
    output.append(buffer, n);
  int status = ::pclose(pipe);
  if (status != 0) return Error("`" + command + "` failed: " + output);
  return output;
}

// For clean-up, where failing is not worth reporting.
void shell_quietly(const std::string& command) {
  auto ignored = shell(command);
  (void)ignored;
}

std::string find_program(const std::string& name) {
  std::string path = ::getenv("PATH") ? ::getenv("PATH") : "";
  path += ":/usr/sbin:/usr/bin:/sbin:/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// ---------------------------------------------------------------------------
// The test image.

const std::vector<std::string> kImageTools = {"sh", "sleep", "head", "tr", "wc", "cat", "id"};

// The cached tarball of the test image, built when its inputs changed.
Result<std::string> test_image_tarball(std::string* how) {
  std::vector<std::string> inputs;
  for (const auto& tool : kImageTools) {
    std::string path = find_program(tool);
    if (path.empty()) return Error("cannot find " + tool + " to build the test image");
    inputs.push_back(fs::canonical(path).string());
  }
  inputs.push_back(CAIRN_DOCKER_TEST_RESPONDER);
  // The recipe's version is part of the key: bump it when the script changes.
  std::string key = "recipe-1";
  for (const auto& input : inputs) {
    struct stat info {};
    if (::stat(input.c_str(), &info) != 0) return Error("cannot stat " + input);
    key += ";" + input + ":" + std::to_string(info.st_size) + ":" +
           std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
  }
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%016zx", std::hash<std::string>{}(key));
  std::string cache_dir = CAIRN_DOCKER_TEST_CACHE_DIR;
  std::string tarball = cache_dir + "/docker-test-image-" + hex + ".tar";
  if (fs::exists(tarball)) {
    *how = "reused " + tarball;
    return tarball;
  }

  auto start = Clock::now();
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  std::string work = tarball + ".build-" + run_id();
  std::string script = "set -e; R='" + work + "/rootfs'; rm -rf '" + work +
                       "'; mkdir -p \"$R/bin\" \"$R/etc\" \"$R/tmp\" \"$R/proc\" \"$R/sys\" "
                       "\"$R/dev\"; chmod 1777 \"$R/tmp\"; ";
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string name = i < kImageTools.size() ? kImageTools[i] : "responder";
    script += "cp -L '" + inputs[i] + "' \"$R/bin/" + name + "\"; for lib in $(ldd '" + inputs[i] +
              "' | grep -o '/[^ ]*'); do mkdir -p \"$R$(dirname $lib)\"; cp -L \"$lib\" "
              "\"$R$lib\"; done; ";
  }
  script +=
      "echo 'root:x:0:0:root:/:/bin/sh' > \"$R/etc/passwd\"; "
      "echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> \"$R/etc/passwd\"; "
      "printf 'root:x:0:\\nnogroup:x:65534:\\n' > \"$R/etc/group\"; "
      "tar -C \"$R\" -cf '" +
      work + "/image.tar' .; mv '" + work + "/image.tar' '" + tarball + "'; rm -rf '" + work + "'";
  std::string file = work + ".sh";
  { std::ofstream(file) << script << "\n"; }
  auto built = shell("sh '" + file + "'");
  fs::remove(file, ec);
  if (!built.ok()) return Error("building the test image: " + built.error());
  char took[64];
  std::snprintf(took, sizeof(took), "%.2f s", seconds_since(start));
  *how = "built " + tarball + " in " + took;
  return tarball;
}

// ---------------------------------------------------------------------------
// The engine.

class Engine {
 public:
  std::string skip_reason;  // set when the suite cannot run here
  std::string failure;      // set when it should run but could not start
  std::string dir;
  std::string netns;  // empty: dockerd runs in the host's network namespace
  bool bridge = false;
  std::unique_ptr<DockerClient> client;

  void start() {
    if (::geteuid() != 0) {
      skip_reason = "the Docker engine tests need root to run dockerd";
      return;
    }
    dockerd_ = find_program("dockerd");
    if (dockerd_.empty()) {
      skip_reason = "dockerd is not installed (apt-get install docker.io)";
      return;
    }
    remove_stale_runs();
    char path[] = "/tmp/cairn-docker-test-XXXXXX";
    if (!::mkdtemp(path)) {
      failure = std::string("mkdtemp: ") + std::strerror(errno);
      return;
    }
    dir = path;
    { std::ofstream(dir + "/test.pid") << run_id() << "\n"; }
    socket_ = dir + "/docker.sock";
    client = std::make_unique<DockerClient>(socket_);

    std::string how;
    auto tarball = test_image_tarball(&how);
    if (!tarball.ok()) {
      failure = tarball.error();
      return;
    }
    std::cerr << "[docker_test] test image: " << how << "\n";

    remove_stale_namespaces();
    netns = "cairn-docker-test-" + run_id();
    auto created = ::getenv("CAIRN_DOCKER_TEST_NO_NETNS")
                       ? Result<std::string>(Error("CAIRN_DOCKER_TEST_NO_NETNS is set"))
                       : shell("ip netns add " + netns + " && ip -n " + netns + " link set lo up");
    if (!created.ok()) {
      std::cerr << "[docker_test] no network namespace (" << created.error()
                << "); dockerd runs with --bridge=none and bridge tests skip\n";
      shell_quietly("ip netns del " + netns);
      netns.clear();
    }
    auto started = Clock::now();
    Status up = start_dockerd(!netns.empty());
    if (!up.ok() && !netns.empty()) {
      std::cerr << "[docker_test] dockerd with default networking in a namespace failed ("
                << up.error() << "); retrying with --bridge=none\n";
      stop_dockerd();
      up = start_dockerd(false);
    }
    if (!up.ok()) {
      failure = up.error();
      return;
    }
    std::cerr << "[docker_test] dockerd up in " << seconds_since(started) << " s"
              << (bridge ? " with bridge networking in netns " + netns : " with --bridge=none")
              << "\n";
    auto import_start = Clock::now();
    auto imported = client->import_image(*tarball, kImage, Duration::minutes(2));
    if (!imported.ok()) {
      failure = imported.error();
      return;
    }
    std::cerr << "[docker_test] imported " << kImage << " (" << *imported << ") in "
              << seconds_since(import_start) << " s\n";
  }

  void stop() {
    if (pid_ > 0 && client) {
      ContainerFilter all;
      auto containers = client->list(all);
      if (containers.ok()) {
        for (const auto& c : *containers) {
          Status removed = client->remove(c.id, true);
          if (!removed.ok()) std::cerr << "[docker_test] " << removed.error() << "\n";
        }
      }
    }
    stop_dockerd();
    if (!netns.empty()) shell_quietly("ip netns del " + netns);
    if (!dir.empty()) {
      unmount_below(dir);
      std::error_code ec;
      fs::remove_all(dir, ec);
      if (ec) std::cerr << "[docker_test] cannot remove " << dir << ": " << ec.message() << "\n";
    }
  }

  std::string sandbox(const std::string& name) {
    std::string path = dir + "/sandboxes/" + name;
    fs::create_directories(path);
    return path;
  }

 private:
  Status start_dockerd(bool with_bridge) {
    bridge = with_bridge;
    std::error_code ec;
    fs::remove(socket_, ec);
    std::vector<std::string> args = {
        dockerd_, "--data-root",       dir + "/root", "--exec-root",       dir + "/exec",
        "-H",     "unix://" + socket_, "--pidfile",   dir + "/dockerd.pid"};
    if (!with_bridge) {
      for (const char* flag : {"--iptables=false", "--ip6tables=false", "--bridge=none"}) {
        args.push_back(flag);
      }
    }
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string log = dir + "/dockerd.log";
    int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int netns_fd = -1;
    if (with_bridge) {
      netns_fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (netns_fd < 0) return Error("cannot open /run/netns/" + netns);
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
      // Only async-signal-safe calls until exec.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(126);
      if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) ::_exit(125);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      ::setsid();
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    if (netns_fd >= 0) ::close(netns_fd);
    if (pid < 0) return Error(std::string("fork: ") + std::strerror(errno));
    pid_ = pid;

    auto deadline = Clock::now() + std::chrono::seconds(60);
    std::string last_error;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return Error("dockerd exited at startup; its log:\n" + tail(log));
      }
      auto version = client->version();
      if (version.ok()) return ok_status();
      last_error = version.error();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Error("dockerd did not answer within 60 s (" + last_error + "); its log:\n" + tail(log));
  }

  void stop_dockerd() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(30);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        std::cerr << "[docker_test] dockerd ignored SIGTERM for 30 s; killing it\n";
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
  }

  static std::string tail(const std::string& path) {
    std::string text = read_text(path);
    return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
  }

  // Mounts dockerd left under `root` (only after a crash, normally none).
  static void unmount_below(const std::string& root) {
    std::ifstream mounts("/proc/self/mountinfo");
    std::vector<std::string> targets;
    std::string line;
    while (std::getline(mounts, line)) {
      std::istringstream fields(line);
      std::string id, parent, devices, source, target;
      fields >> id >> parent >> devices >> source >> target;
      if (target.rfind(root + "/", 0) == 0) targets.push_back(target);
    }
    std::sort(targets.rbegin(), targets.rend());
    for (const auto& target : targets)
      ::umount2(target.c_str(), MNT_DETACH);
  }

  static bool process_gone(pid_t pid) {
    return pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH);
  }

  static pid_t read_pid(const std::string& path) {
    std::ifstream in(path);
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
  }

  // Directories of earlier runs that died before cleaning up (their dockerd
  // has shut down by itself: it got SIGTERM when the test process died).
  static void remove_stale_runs() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
      std::string path = entry.path().string();
      if (entry.path().filename().string().rfind("cairn-docker-test-", 0) != 0) continue;
      if (!fs::exists(path + "/test.pid")) continue;  // being created right now
      if (!process_gone(read_pid(path + "/test.pid"))) continue;
      if (fs::exists(path + "/dockerd.pid") && !process_gone(read_pid(path + "/dockerd.pid"))) {
        continue;  // still shutting down
      }
      unmount_below(path);
      fs::remove_all(path, ec);
    }
  }

  // Namespaces of earlier runs that died before cleaning up.
  static void remove_stale_namespaces() {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
      std::string name = entry.path().filename().string();
      const std::string prefix = "cairn-docker-test-";
      if (name.rfind(prefix, 0) != 0) continue;
      pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + prefix.size()));
      if (owner > 0 && ::kill(owner, 0) != 0 && errno == ESRCH)
        shell_quietly("ip netns del " + name);
    }
  }

  std::string dockerd_;
  std::string socket_;
  pid_t pid_ = -1;
};

// One line (or everything until EOF) from 127.0.0.1:port, connecting from
// inside `netns` (the host's namespace when empty).
Result<std::string> fetch(const std::string& netns, uint16_t port) {
  Result<std::string> result = Error("not run");
  std::thread worker([&] {
    if (!netns.empty()) {
      int fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
        result = Error("cannot enter netns " + netns);
        if (fd >= 0) ::close(fd);
        return;
      }
      ::close(fd);
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      result = Error(std::string("connect: ") + std::strerror(errno));
      ::close(fd);
      return;
    }
    timeval timeout{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    std::string text;
    char buffer[256];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof(buffer))) > 0)
      text.append(buffer, static_cast<size_t>(n));
    ::close(fd);
    result = text;
  });
  worker.join();
  return result;
}

// Polls fetch() until it returns `expected` or 15 s pass.
std::string fetch_until(const std::string& netns, uint16_t port, const std::string& expected) {
  auto deadline = Clock::now() + std::chrono::seconds(15);
  std::string last;
  while (Clock::now() < deadline) {
    auto got = fetch(netns, port);
    last = got.ok() ? *got : got.error();
    if (last == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

// ---------------------------------------------------------------------------

class DockerEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    engine_ = new Engine;
    engine_->start();
  }
  static void TearDownTestSuite() {
    engine_->stop();
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override {
    if (!engine_->skip_reason.empty()) GTEST_SKIP() << engine_->skip_reason;
    ASSERT_TRUE(engine_->failure.empty()) << engine_->failure;
  }

  const DockerClient& client() { return *engine_->client; }

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

  static Engine* engine_;
};

Engine* DockerEngineTest::engine_ = nullptr;

TEST_F(DockerEngineTest, ReportsTheEngineVersion) {
  auto version = client().version();
  ASSERT_TRUE(version.ok()) << version.error();
  EXPECT_EQ(version->api_version, "1.41");
  EXPECT_EQ(version->os, "linux");
  EXPECT_FALSE(version->version.empty());
  EXPECT_TRUE(check_engine(*version).ok());
}

TEST_F(DockerEngineTest, RunsACommandAndCollectsItsLogsAndExitCode) {
  std::string sandbox = engine_->sandbox("logs");
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
  std::string sandbox = engine_->sandbox("env");
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
  EXPECT_EQ(fetch_until(engine_->netns, port, "hello from host networking\n"),
            "hello from host networking\n");
  auto state = client().inspect(id);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->network_mode, "host");
  EXPECT_EQ(state->ip_address, "");
  ASSERT_TRUE(client().kill(id).ok());
}

TEST_F(DockerEngineTest, PublishesPortsWithBridgeNetworking) {
  if (!engine_->bridge) GTEST_SKIP() << "dockerd runs with --bridge=none (no network namespace)";
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
  EXPECT_EQ(fetch_until(engine_->netns, 31080, "hello from the bridge\n"),
            "hello from the bridge\n");
  EXPECT_EQ(fetch_until(engine_->netns, chosen, "hello from the bridge\n"),
            "hello from the bridge\n");
  ASSERT_TRUE(client().kill(id).ok());
}

TEST_F(DockerEngineTest, WaitAndFollowLogsCanBeAbandoned) {
  ContainerSpec spec = spec_for("abandon");
  spec.set_shell_command("echo started; exec sleep 1000");
  std::string id = create_and_start(spec);
  std::string sandbox = engine_->sandbox("abandon");
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
