#include "bench/common/master_child.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemons/master/testing/master_harness.hpp"

namespace cairn::bench {

namespace {

// A port that was free a moment ago: bind port 0 on loopback, read it back.
Result<uint16_t> pick_free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::string error = std::strerror(errno);
    ::close(fd);
    return Error("cannot pick a free port: " + error);
  }
  ::close(fd);
  return static_cast<uint16_t>(ntohs(address.sin_port));
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped (wait status " + std::to_string(status) + ")";
}

}  // namespace

Result<std::unique_ptr<MasterChild>> MasterChild::spawn(const MasterChildOptions& options) {
  if (::access(options.binary.c_str(), X_OK) != 0) {
    return Error("cairn-master binary " + options.binary +
                 " is not executable: " + std::strerror(errno));
  }
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cairn-master-load-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  std::unique_ptr<MasterChild> child(new MasterChild());
  child->root_ = pattern;
  std::error_code ec;
  std::filesystem::create_directories(child->root_ + "/work", ec);
  if (ec) return Error("cannot create " + child->root_ + "/work: " + ec.message());

  Result<uint16_t> port = pick_free_port();
  if (!port.ok()) return Error(port.error());
  child->port_ = *port;

  std::vector<std::string> args{options.binary,
                                "--ip=127.0.0.1",
                                "--port=" + std::to_string(child->port_),
                                "--work_dir=" + child->root_ + "/work",
                                "--quiet",
                                "--log_dir=" + child->root_ + "/log",
                                "--allocation_interval=" + options.allocation_interval};
  args.insert(args.end(), options.extra_flags.begin(), options.extra_flags.end());
  std::vector<char*> argv;
  for (std::string& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_path = child->root_ + "/master.log";
  const pid_t parent = ::getpid();

  // Between fork and exec only async-signal-safe calls.
  pid_t pid = ::fork();
  if (pid < 0) return Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
      if (log > STDERR_FILENO) ::close(log);
    }
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) {
      ::dup2(null, STDIN_FILENO);
      if (null > STDERR_FILENO) ::close(null);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  child->pid_ = pid;
  return child;
}

MasterChild::~MasterChild() {
  stop();
}

std::optional<std::string> MasterChild::exited() {
  if (exit_description_ || pid_ <= 0) return exit_description_;
  int status = 0;
  pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == pid_) {
    exit_description_ = describe_wait_status(status);
  } else if (reaped < 0 && errno == ECHILD) {
    exit_description_ = "is gone (not our child any more)";
  }
  return exit_description_;
}

long MasterChild::rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

long MasterChild::open_fds() const {
  std::error_code ec;
  long count = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid_) + "/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++count;
  }
  return ec ? -1 : count;
}

double MasterChild::cpu_seconds() const {
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string text;
  std::getline(stat, text);
  // The command name (field 2) may hold spaces: count fields after its ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Field 3 (state) is the first after ')'; utime and stime are fields 14, 15.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (index == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(ticks);
}

std::string MasterChild::log_tail(size_t max_lines) const {
  std::string out;
  // What the master printed (startup errors), then its log file.
  for (const std::string& path : {root_ + "/master.log", root_ + "/log/cairn-master.log"}) {
    std::ifstream log(path);
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(log, line)) {
      lines.push_back(line);
      if (lines.size() > max_lines) lines.pop_front();
    }
    for (const std::string& l : lines) {
      out += "  | " + l + "\n";
    }
  }
  return out;
}

std::string MasterChild::save_log() const {
  const std::filesystem::path from = root_ + "/log/cairn-master.log";
  const std::filesystem::path to =
      std::filesystem::temp_directory_path() / ("master_load-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(port_) + "-cairn-master.log");
  std::error_code ec;
  if (root_.empty() || !std::filesystem::exists(from, ec)) return "";
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  return ec ? "" : to.string();
}

void MasterChild::stop(int grace_seconds) {
  if (pid_ > 0 && !exited()) {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_seconds);
    while (!exited() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited()) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      if (::waitpid(pid_, &status, 0) == pid_) exit_description_ = describe_wait_status(status);
    }
  }
  if (!root_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    root_.clear();
  }
}

std::optional<nlohmann::json> metrics_snapshot(master::testing::TestClient& http,
                                               const MasterChild& master) {
  http::Response response = http.get(master.url() + "/metrics/snapshot");
  if (response.status != 200) return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) return std::nullopt;
  return json;
}

double metric_value(const nlohmann::json& snapshot, const char* name) {
  if (!snapshot.contains(name) || !snapshot[name].is_number()) return -1;
  return snapshot[name].get<double>();
}

}  // namespace cairn::bench
