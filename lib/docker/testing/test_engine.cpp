#include "lib/docker/testing/test_engine.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
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
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

namespace cairn::docker::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kLog[] = "[docker test engine] ";
constexpr char kRunPrefix[] = "cairn-docker-test-";

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

std::string tail(const std::string& path) {
  std::string text = read_text(path);
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
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
// Leftovers.

// Mounts dockerd left under `root` (only after a crash, normally none).
void unmount_below(const std::string& root) {
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

bool process_gone(pid_t pid) {
  return pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH);
}

pid_t read_pid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// Directories of earlier runs that died before cleaning up (their dockerd
// has shut down by itself: it got SIGTERM when the test process died).
void remove_stale_runs() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
    std::string path = entry.path().string();
    if (entry.path().filename().string().rfind(kRunPrefix, 0) != 0) continue;
    if (!fs::exists(path + "/test.pid")) continue;  // being created right now
    if (!process_gone(read_pid(path + "/test.pid"))) continue;
    if (fs::exists(path + "/dockerd.pid") && !process_gone(read_pid(path + "/dockerd.pid"))) {
      continue;  // still shutting down
    }
    unmount_below(path);
    std::error_code removed;
    fs::remove_all(path, removed);
  }
}

// Namespaces of earlier runs that died before cleaning up: named
// "cairn-docker-test-<pid>-<n>" after the test process.
void remove_stale_namespaces() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
    std::string name = entry.path().filename().string();
    const std::string prefix = kRunPrefix;
    if (name.rfind(prefix, 0) != 0) continue;
    pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + prefix.size()));
    if (process_gone(owner)) shell_quietly("ip netns del " + name);
  }
}

// One answer (everything until EOF, or what came within 2 s) to a GET of
// http://127.0.0.1:port/, connecting from inside `netns` (the host's
// namespace when empty). What arrived before a reset counts too: a server
// that answers without reading the request resets the connection.
Result<std::string> fetch(const std::string& netns, uint16_t port) {
  Result<std::string> result = Error("not run");
  // setns() applies to the calling thread only: do it in a throwaway one.
  std::thread worker([&] {
    if (!netns.empty()) {
      int fd = ::open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
        result = Error("cannot enter netns " + netns + ": " + std::strerror(errno));
        if (fd >= 0) ::close(fd);
        return;
      }
      ::close(fd);
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      result = Error(std::string("socket: ") + std::strerror(errno));
      return;
    }
    timeval timeout{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      result = Error(std::string("connect: ") + std::strerror(errno));
      ::close(fd);
      return;
    }
    std::string request = "GET / HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nConnection: close\r\n\r\n";
    // A server that answered and closed already may refuse it: read anyway.
    ssize_t sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    (void)sent;
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof(buffer))) > 0)
      text.append(buffer, static_cast<size_t>(n));
    int read_errno = errno;
    ::close(fd);
    if (n < 0 && text.empty()) {
      result = Error(std::string("read: ") + std::strerror(read_errno));
      return;
    }
    result = text;
  });
  worker.join();
  return result;
}

}  // namespace

// ---------------------------------------------------------------------------
// TestEngine.

TestEngine::TestEngine() : client_(std::string()) {}

TestEngine::~TestEngine() {
  stop();
}

void TestEngine::start() {
  if (started_) return;
  started_ = true;
  skip_reason_.clear();
  failure_.clear();
  ready_ = false;
  if (::geteuid() != 0) {
    skip_reason_ = "the Docker engine tests need root to run dockerd";
    return;
  }
  dockerd_ = find_program("dockerd");
  if (dockerd_.empty()) {
    skip_reason_ = "dockerd is not installed (apt-get install docker.io)";
    return;
  }
  remove_stale_runs();
  std::string path_template = std::string("/tmp/") + kRunPrefix + "XXXXXX";
  if (!::mkdtemp(path_template.data())) {
    failure_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  dir_ = path_template;
  { std::ofstream(dir_ + "/test.pid") << run_id() << "\n"; }
  socket_ = dir_ + "/docker.sock";
  client_ = DockerClient(socket_);

  std::string how;
  auto tarball = test_image_tarball(&how);
  if (!tarball.ok()) {
    failure_ = tarball.error();
    return;
  }
  std::cerr << kLog << "test image: " << how << "\n";

  remove_stale_namespaces();
  // Unique within the process too, in case several engines live at once.
  static std::atomic<int> engines{0};
  netns_ = kRunPrefix + run_id() + "-" + std::to_string(engines++);
  auto created = ::getenv("CAIRN_DOCKER_TEST_NO_NETNS")
                     ? Result<std::string>(Error("CAIRN_DOCKER_TEST_NO_NETNS is set"))
                     : shell("ip netns add " + netns_ + " && ip -n " + netns_ + " link set lo up");
  if (!created.ok()) {
    std::cerr << kLog << "no network namespace (" << created.error()
              << "); dockerd runs with --bridge=none and bridge tests skip\n";
    shell_quietly("ip netns del " + netns_);
    netns_.clear();
  }
  auto started = Clock::now();
  Status up = start_dockerd(!netns_.empty());
  if (!up.ok() && !netns_.empty()) {
    std::cerr << kLog << "dockerd with default networking in a namespace failed (" << up.error()
              << "); retrying with --bridge=none\n";
    stop_dockerd();
    // dockerd (and the containers' "host" network) now lives in the host's.
    shell_quietly("ip netns del " + netns_);
    netns_.clear();
    up = start_dockerd(false);
  }
  if (!up.ok()) {
    failure_ = up.error();
    return;
  }
  std::cerr << kLog << "dockerd up in " << seconds_since(started) << " s"
            << (bridge_ ? " with bridge networking in netns " + netns_ : " with --bridge=none")
            << "\n";
  auto import_start = Clock::now();
  auto imported = client_.import_image(*tarball, kTestImage, Duration::minutes(2));
  if (!imported.ok()) {
    failure_ = imported.error();
    return;
  }
  std::cerr << kLog << "imported " << kTestImage << " (" << *imported << ") in "
            << seconds_since(import_start) << " s\n";
  ready_ = true;
}

void TestEngine::stop() {
  ready_ = false;
  started_ = false;
  if (pid_ > 0) {
    // Every container: the engine is this run's alone, and other suites
    // (the agent's "mesos-*" containers) create theirs through it too.
    ContainerFilter all;
    all.include_stopped = true;
    auto containers = client_.list(all);
    if (!containers.ok()) std::cerr << kLog << containers.error() << "\n";
    if (containers.ok()) {
      for (const auto& c : *containers) {
        Status removed = client_.remove(c.id, true);
        if (!removed.ok()) std::cerr << kLog << removed.error() << "\n";
      }
    }
  }
  stop_dockerd();
  bridge_ = false;
  if (!netns_.empty()) {
    shell_quietly("ip netns del " + netns_);
    netns_.clear();
  }
  if (!dir_.empty()) {
    unmount_below(dir_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
    if (ec) std::cerr << kLog << "cannot remove " << dir_ << ": " << ec.message() << "\n";
    dir_.clear();
  }
}

Status TestEngine::start_dockerd(bool with_bridge) {
  bridge_ = with_bridge;
  std::error_code ec;
  fs::remove(socket_, ec);
  std::vector<std::string> args = {
      dockerd_, "--data-root",       dir_ + "/root", "--exec-root",        dir_ + "/exec",
      "-H",     "unix://" + socket_, "--pidfile",    dir_ + "/dockerd.pid"};
  if (!with_bridge) {
    for (const char* flag : {"--iptables=false", "--ip6tables=false", "--bridge=none"}) {
      args.push_back(flag);
    }
  }
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string log = dir_ + "/dockerd.log";
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Error("cannot open " + log + ": " + std::strerror(errno));
  int netns_fd = -1;
  if (with_bridge) {
    netns_fd = ::open(("/run/netns/" + netns_).c_str(), O_RDONLY | O_CLOEXEC);
    if (netns_fd < 0) {
      ::close(log_fd);
      return Error("cannot open /run/netns/" + netns_);
    }
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
  int fork_errno = errno;
  ::close(log_fd);
  if (netns_fd >= 0) ::close(netns_fd);
  if (pid < 0) return Error(std::string("fork: ") + std::strerror(fork_errno));
  pid_ = pid;

  auto deadline = Clock::now() + std::chrono::seconds(60);
  std::string last_error;
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Error("dockerd exited at startup; its log:\n" + tail(log));
    }
    auto version = client_.version();
    if (version.ok()) return ok_status();
    last_error = version.error();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Error("dockerd did not answer within 60 s (" + last_error + "); its log:\n" + tail(log));
}

void TestEngine::stop_dockerd() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      std::cerr << kLog << "dockerd ignored SIGTERM for 30 s; killing it\n";
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  pid_ = -1;
}

std::string fetch_until(const std::string& netns, uint16_t port, const std::string& expected) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  std::string last;
  while (Clock::now() < deadline) {
    auto got = fetch(netns, port);
    last = got.ok() ? *got : got.error();
    if (got.ok() && last.find(expected) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

}  // namespace cairn::docker::testing
