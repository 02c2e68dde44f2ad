#include "tests/e2e/testing/daemon_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include "lib/fs/atomic_file.hpp"
#include "lib/process/launch.hpp"
#include "tests/e2e/testing/command.hpp"
#include "tests/e2e/testing/network.hpp"

namespace cairn::e2e {

namespace {

// Appends one line to the log, so each start is visible in it.
void append_line(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  std::string text = line + "\n";
  if (::write(fd, text.data(), text.size()) < 0) {
  }
  ::close(fd);
}

std::string now_text() {
  std::time_t t = std::time(nullptr);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", std::localtime(&t));
  return buffer;
}

}  // namespace

Result<std::unique_ptr<DaemonProcess>> DaemonProcess::launch(Options options) {
  auto daemon = std::make_unique<DaemonProcess>(std::move(options));
  Status started = daemon->start();
  if (!started.ok()) return Error(started.error());
  return daemon;
}

DaemonProcess::DaemonProcess(Options options) : options_(std::move(options)) {}

DaemonProcess::~DaemonProcess() {
  if (running_) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string DaemonProcess::describe() const {
  return describe_command(options_.argv);
}

Status DaemonProcess::start() {
  if (running_ && alive())
    return Error(describe() + " is already running as pid " + std::to_string(pid_));
  if (options_.argv.empty()) return Error("no program to run");
  if (options_.log_path.empty()) return Error("no log file for " + describe());
  Result<std::string> program = find_program(options_.argv[0]);
  if (!program.ok()) return Error(program.error());
  std::filesystem::path log(options_.log_path);
  if (log.has_parent_path()) {
    Status dir = fs::create_directories(log.parent_path().string());
    if (!dir.ok()) return dir;
  }

  process::ProcessSpec spec;
  spec.argv = options_.argv;
  spec.argv[0] = *program;
  if (options_.inherit_environment) spec.environment = current_environment();
  for (const auto& [key, value] : options_.environment)
    spec.environment[key] = value;
  spec.working_directory = options_.working_directory;
  spec.stdout_path = options_.log_path;
  spec.stderr_path = options_.log_path;

  append_line(options_.log_path, "=== start " + now_text() + ": " + describe());
  Result<pid_t> pid =
      options_.host != nullptr ? options_.host->run(spec) : process::launch_process(spec);
  if (!pid.ok()) return Error(pid.error());
  pid_ = *pid;
  running_ = true;
  exit_code_.reset();
  return ok_status();
}

Status DaemonProcess::restart() {
  if (running_) {
    (void)kill(SIGKILL);
    Result<int> exited = wait_exit(Duration::seconds(30));
    if (!exited.ok()) return Error("cannot restart: " + exited.error());
  }
  return start();
}

bool DaemonProcess::alive() {
  if (!running_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    running_ = false;
    exit_code_ = exit_code_of(status);
    return false;
  }
  if (r < 0 && errno == ECHILD) {
    // Reaped elsewhere (a test calling waitpid(-1)): the code is lost.
    running_ = false;
    return false;
  }
  return true;
}

Status DaemonProcess::kill(int signal) {
  if (!alive()) return Error(describe() + " is not running");
  // The group reaches its children too; fall back to the pid if the
  // program left its group.
  if (::kill(-pid_, signal) != 0 && ::kill(pid_, signal) != 0) {
    return Error("cannot signal pid " + std::to_string(pid_) + ": " + std::strerror(errno));
  }
  return ok_status();
}

Result<int> DaemonProcess::wait_exit(Duration timeout) {
  if (pid_ < 0) return Error(describe() + " was never started");
  const auto deadline = std::chrono::steady_clock::now() + timeout.chrono();
  while (alive()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Error(describe() + " (pid " + std::to_string(pid_) + ") still runs after " +
                   timeout.to_string());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!exit_code_) return Error(describe() + " was reaped by someone else");
  return *exit_code_;
}

Result<int> DaemonProcess::stop(Duration grace) {
  if (!alive()) {
    if (exit_code_) return *exit_code_;
    return Error(describe() + " is not running");
  }
  (void)kill(SIGTERM);
  Result<int> exited = wait_exit(grace);
  if (exited.ok()) return exited;
  (void)kill(SIGKILL);
  return wait_exit(Duration::seconds(30));
}

std::string DaemonProcess::log_tail(size_t lines) const {
  Result<std::string> content = fs::read_file(options_.log_path);
  if (!content.ok() || lines == 0) return "";
  const std::string& text = *content;
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  size_t start = end;
  size_t seen = 0;
  while (start > 0) {
    if (text[start - 1] == '\n' && ++seen == lines) break;
    --start;
  }
  return text.substr(start, end - start);
}

Result<std::string> find_binary(const std::string& name) {
  namespace stdfs = std::filesystem;
  std::error_code ec;
  stdfs::path root;
  if (const char* env = std::getenv("CAIRN_BUILD_DIR"); env != nullptr && *env != '\0') {
    root = env;
  } else {
    stdfs::path self = stdfs::read_symlink("/proc/self/exe", ec);
    if (ec) return Error("cannot read /proc/self/exe: " + ec.message());
    for (stdfs::path dir = self.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      if (stdfs::exists(dir / "CMakeCache.txt", ec)) {
        root = dir;
        break;
      }
      if (dir == dir.root_path()) break;
    }
    if (root.empty()) {
      return Error("cannot find " + name + ": no CMakeCache.txt above " + self.string() +
                   " (set CAIRN_BUILD_DIR to the build tree)");
    }
  }
  auto usable = [&ec](const stdfs::path& p) {
    return stdfs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  for (const char* dir : {"daemons/master", "daemons/agent", "daemons/executor", "cli", "."}) {
    stdfs::path candidate = root / dir / name;
    if (usable(candidate)) return candidate.lexically_normal().string();
  }
  // Anything else the build made, outside CMake's own bookkeeping.
  for (auto it = stdfs::recursive_directory_iterator(
           root, stdfs::directory_options::skip_permission_denied, ec);
       !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && it->path().filename() == "CMakeFiles") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().filename() == name && usable(it->path())) return it->path().string();
  }
  return Error("cannot find " + name + " in the build tree " + root.string() +
               " (looked in daemons/master, daemons/agent, daemons/executor, cli and below)");
}

}  // namespace cairn::e2e
