#include "daemons/executor/task_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/logging/log.hpp"

extern char** environ;

namespace cairn::executor {

namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// `name` searched in `path` the way execvp() would, done before fork.
std::string resolve_program(const std::string& name, const std::string& path) {
  if (name.empty() || name.find('/') != std::string::npos) return name;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;
}

// Marks every descriptor above stderr close-on-exec. Async-signal-safe.
void close_inherited_fds() {
#ifdef CLOSE_RANGE_CLOEXEC
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = 3; fd < max; ++fd)
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

}  // namespace

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

Result<CommandSpec> command_from_json(const nlohmann::json& command,
                                      std::map<std::string, std::string> base_environment,
                                      const std::string& working_directory) {
  if (!command.is_object()) return Error("the command is not a CommandInfo object");
  CommandSpec spec;
  spec.working_directory = working_directory;
  spec.environment = std::move(base_environment);

  bool shell = true;
  if (auto it = command.find("shell"); it != command.end() && !it->is_null()) {
    if (!it->is_boolean()) return Error("command.shell: expected a boolean");
    shell = it->get<bool>();
  }
  std::string value;
  if (auto it = command.find("value"); it != command.end() && !it->is_null()) {
    if (!it->is_string()) return Error("command.value: expected a string");
    value = it->get<std::string>();
  }
  if (value.empty()) {
    return Error(shell ? "the shell command has no value" : "the command names no executable");
  }
  if (shell) {
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", value};
  } else {
    spec.program = value;
    if (auto it = command.find("arguments"); it != command.end() && !it->is_null()) {
      if (!it->is_array()) return Error("command.arguments: expected an array of strings");
      for (const auto& a : *it) {
        if (!a.is_string()) return Error("command.arguments: expected an array of strings");
        spec.argv.push_back(a.get<std::string>());
      }
    }
    if (spec.argv.empty()) spec.argv.push_back(value);
  }

  if (auto env = command.find("environment"); env != command.end() && env->is_object()) {
    auto vars = env->find("variables");
    if (vars != env->end() && vars->is_array()) {
      for (const auto& v : *vars) {
        if (!v.is_object() || !v.contains("name") || !v["name"].is_string()) {
          return Error("command.environment.variables: each needs a string name");
        }
        std::string name = v["name"].get<std::string>();
        std::string type = v.value("type", std::string("VALUE"));
        if (type == "SECRET") {
          return Error("environment variable '" + name +
                       "' is a secret; this executor cannot resolve secrets");
        }
        auto val = v.find("value");
        spec.environment[name] = val != v.end() && val->is_string() ? val->get<std::string>() : "";
      }
    }
  }
  return spec;
}

Result<pid_t> spawn(const CommandSpec& spec) {
  if (spec.argv.empty() || spec.program.empty()) return Error("nothing to run");
  // Everything the child needs is prepared before fork: the executor may
  // have helper threads, so the child only makes async-signal-safe calls.
  auto path_it = spec.environment.find("PATH");
  const std::string program = resolve_program(
      spec.program, path_it != spec.environment.end() ? path_it->second : kDefaultPath);
  std::vector<char*> argv;
  for (const std::string& a : spec.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.environment)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  const char* directory = spec.working_directory.empty() ? nullptr : spec.working_directory.c_str();

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return Error(std::string("pipe: ") + std::strerror(errno));
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(report[0]);
    ::close(report[1]);
    if (null_fd >= 0) ::close(null_fd);
    return Error(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    // Stage numbers tell the parent what failed: 1 setsid, 2 chdir, 3 exec.
    auto fail = [&](int stage) {
      int payload[2] = {stage, errno};
      ssize_t ignored = ::write(report[1], payload, sizeof payload);
      (void)ignored;
      ::_exit(127);
    };
    ::close(report[0]);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s)
      ::signal(s, SIG_DFL);
    if (::setsid() < 0) fail(1);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the executor is already gone
    if (null_fd >= 0) ::dup2(null_fd, 0);
    if (directory != nullptr && ::chdir(directory) != 0) fail(2);
    close_inherited_fds();
    ::execve(program.c_str(), argv.data(), envp.data());
    fail(3);
  }
  ::close(report[1]);
  if (null_fd >= 0) ::close(null_fd);
  int payload[2] = {0, 0};
  ssize_t n;
  do {
    n = ::read(report[0], payload, sizeof payload);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n > 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    const char* what = payload[0] == 1   ? "setsid"
                       : payload[0] == 2 ? "cannot enter "
                                         : "cannot execute ";
    std::string target = payload[0] == 2 ? spec.working_directory : payload[0] == 3 ? program : "";
    return Error(std::string(what) + (target.empty() ? "" : "'" + target + "'") + ": " +
                 std::strerror(payload[1]));
  }
  return pid;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::strsignal(WTERMSIG(status));
    return "terminated with signal " +
           (name != nullptr ? std::string(name) : std::to_string(WTERMSIG(status)));
  }
  return "ended with wait status " + std::to_string(status);
}

// --- ProcessReaper ------------------------------------------------------

ProcessReaper::ProcessReaper(EventLoop& loop, Duration interval)
    : loop_(loop), interval_(interval) {}

ProcessReaper::~ProcessReaper() = default;

void ProcessReaper::watch(pid_t pid, bool kill_group, Exited exited) {
  children_[pid] = Child{kill_group, std::move(exited)};
  if (!timer_.pending()) arm();
}

void ProcessReaper::forget(pid_t pid) {
  auto it = children_.find(pid);
  if (it != children_.end()) it->second.exited = nullptr;
}

void ProcessReaper::arm() {
  timer_ = loop_.after(interval_, [this] { poll(); });
}

void ProcessReaper::poll() {
  std::vector<std::pair<int, Exited>> done;
  for (auto it = children_.begin(); it != children_.end();) {
    const pid_t pid = it->first;
    siginfo_t info{};
    // Peek first: while the exited leader is not reaped its pid (and so its
    // process group id) cannot be reused, so killing the group is safe.
    int peeked = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (peeked == 0 && info.si_pid == 0) {
      ++it;
      continue;
    }
    if (peeked == 0 && it->second.kill_group) ::kill(-pid, SIGKILL);
    int status = 0;
    pid_t reaped;
    do {
      reaped = ::waitpid(pid, &status, WNOHANG);
    } while (reaped < 0 && errno == EINTR);
    if (reaped == 0) {
      ++it;
      continue;
    }
    if (reaped < 0) {
      log::warning("Lost track of child process {}: {}", pid, std::strerror(errno));
      status = W_EXITCODE(127, 0);
    }
    if (it->second.exited) done.emplace_back(status, std::move(it->second.exited));
    it = children_.erase(it);
  }
  // Callbacks may watch or forget other children: the map is not in use.
  for (auto& [status, exited] : done)
    exited(status);
  if (!children_.empty() && !timer_.pending()) arm();
}

// --- TaskProcess --------------------------------------------------------

TaskProcess::TaskProcess(EventLoop& loop, ProcessReaper& reaper, pid_t pid)
    : loop_(loop), reaper_(reaper), pid_(pid) {}

Result<std::unique_ptr<TaskProcess>> TaskProcess::start(EventLoop& loop, ProcessReaper& reaper,
                                                        const CommandSpec& spec,
                                                        std::function<void(int)> exited) {
  Result<pid_t> pid = spawn(spec);
  if (!pid.ok()) return Error(pid.error());
  std::unique_ptr<TaskProcess> process(new TaskProcess(loop, reaper, *pid));
  TaskProcess* raw = process.get();
  reaper.watch(*pid, true, [raw, exited = std::move(exited)](int status) {
    raw->running_ = false;
    raw->escalation_.cancel();
    exited(status);
  });
  return process;
}

TaskProcess::~TaskProcess() {
  if (running_) {
    kill_now();
    reaper_.forget(pid_);
  }
}

void TaskProcess::kill(Duration grace) {
  if (!running_) return;
  if (grace < Duration()) grace = Duration();
  const auto now = std::chrono::steady_clock::now();
  if (!kill_started_) {
    kill_started_ = now;
    kill_deadline_ = now + grace.chrono();
    log::info("Sending SIGTERM to the process group of {}; SIGKILL in {}", pid_, grace.to_string());
    ::kill(-pid_, SIGTERM);
  } else {
    const auto deadline = *kill_started_ + grace.chrono();
    if (deadline >= kill_deadline_) return;
    kill_deadline_ = deadline;
    log::info("Escalation to SIGKILL of {} moved earlier ({} after the first kill)", pid_,
              grace.to_string());
  }
  auto remaining = std::chrono::duration_cast<std::chrono::nanoseconds>(kill_deadline_ - now);
  if (remaining.count() < 0) remaining = std::chrono::nanoseconds(0);
  escalation_ = loop_.after(Duration::nanoseconds(remaining.count()), [this] { escalate(); });
}

void TaskProcess::escalate() {
  if (!running_) return;
  log::info("Process {} did not terminate in time; sending SIGKILL to its process group", pid_);
  kill_now();
}

void TaskProcess::kill_now() {
  if (!running_) return;
  if (!kill_started_) kill_started_ = std::chrono::steady_clock::now();
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
}

}  // namespace cairn::executor
