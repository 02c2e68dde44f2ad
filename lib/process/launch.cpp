#include "lib/process/launch.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cairn::process {

namespace {

// Only async-signal-safe calls between fork and exec: the agent has threads.
[[noreturn]] void child_fail(int fd, const char* what) {
  int err = errno;
  char buffer[256];
  size_t n = 0;
  for (const char* p = what; *p && n < sizeof buffer - 1; ++p) buffer[n++] = *p;
  const char* text = strerror(err);  // not strictly async-signal-safe, but glibc's is benign here
  if (n < sizeof buffer - 3) {
    buffer[n++] = ':';
    buffer[n++] = ' ';
  }
  for (const char* p = text; *p && n < sizeof buffer - 1; ++p) buffer[n++] = *p;
  if (write(fd, buffer, n) < 0) {
  }
  _exit(127);
}

void close_other_fds(int keep, int keep_too = -1) {
  // /proc/self/fd cannot be read safely after fork (opendir allocates);
  // closing a generous range is safe and cheap enough.
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = 3; fd < max; ++fd) {
    if (fd != keep && fd != keep_too) close(fd);
  }
}

}  // namespace

Result<pid_t> launch_process(const ProcessSpec& spec, const std::function<Status(pid_t)>& before_exec) {
  if (spec.argv.empty()) return Error("no program to run");
  // Everything the child needs is prepared before fork.
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.environment) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  // With a private /tmp the program's path may be hidden by the time it is
  // executed (a build tree under /tmp): open it first, exec the open file.
  int exec_fd = -1;
  if (!spec.private_tmp.empty() || spec.pid_namespace) {
    exec_fd = ::open(argv[0], O_PATH);  // not CLOEXEC: scripts need it across exec
    if (exec_fd < 0) return Error("cannot open " + spec.argv[0] + ": " + std::strerror(errno));
  }
  auto exec_program = [&]() {
    if (exec_fd >= 0) {
      syscall(SYS_execveat, exec_fd, "", argv.data(), envp.data(), AT_EMPTY_PATH);
    } else {
      execve(argv[0], argv.data(), envp.data());
    }
  };
  int go[2], report[2];
  if (pipe2(go, O_CLOEXEC) != 0) {
    if (exec_fd >= 0) close(exec_fd);
    return Error(std::string("pipe: ") + std::strerror(errno));
  }
  if (pipe2(report, O_CLOEXEC) != 0) {
    if (exec_fd >= 0) close(exec_fd);
    close(go[0]);
    close(go[1]);
    return Error(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {go[0], go[1], report[0], report[1]}) close(fd);
    if (exec_fd >= 0) close(exec_fd);
    return Error(std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    close(go[1]);
    close(report[0]);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int s = 1; s < NSIG; ++s) signal(s, SIG_DFL);
    setsid();
    if (spec.die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(127);  // the parent is already gone
    }
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(127);  // the parent gave up
    if (!spec.working_directory.empty() && chdir(spec.working_directory.c_str()) != 0) {
      child_fail(report[1], "chdir");
    }
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    if (!spec.stdout_path.empty()) {
      int out = open(spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out < 0) child_fail(report[1], "open stdout");
      dup2(out, 1);
    }
    if (!spec.stderr_path.empty()) {
      int err = open(spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err < 0) child_fail(report[1], "open stderr");
      dup2(err, 2);
    }
    if (!spec.private_tmp.empty() || spec.pid_namespace) {
      // Mounts made here stay in the container's own mount namespace.
      if (unshare(CLONE_NEWNS) != 0) child_fail(report[1], "unshare(CLONE_NEWNS)");
      if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) child_fail(report[1], "make / private");
      if (!spec.private_tmp.empty() &&
          mount(spec.private_tmp.c_str(), "/tmp", nullptr, MS_BIND | MS_REC, nullptr) != 0) {
        child_fail(report[1], "bind-mount the sandbox's tmp on /tmp");
      }
    }
    if (spec.pid_namespace) {
      // The init stays for the container's life: it must hold no file of
      // the parent (a listening socket would outlive the agent).
      close_other_fds(report[1], exec_fd);
      if (unshare(CLONE_NEWPID) != 0) child_fail(report[1], "unshare(CLONE_NEWPID)");
      pid_t inner = fork();
      if (inner < 0) child_fail(report[1], "fork into the PID namespace");
      if (inner == 0) {
        // pid 1 of the namespace: its own /proc, then the program.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
          child_fail(report[1], "mount /proc");
        }
        close_other_fds(report[1], exec_fd);
        exec_program();
        child_fail(report[1], argv[0]);
      }
      // The init in the host namespace: wait, pass the exit status on.
      close(report[1]);
      int status = 0;
      while (waitpid(inner, &status, 0) < 0 && errno == EINTR) {
      }
      if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        kill(getpid(), WTERMSIG(status));
      }
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    close_other_fds(report[1], exec_fd);
    exec_program();
    child_fail(report[1], argv[0]);
  }
  close(go[0]);
  close(report[1]);
  if (exec_fd >= 0) close(exec_fd);
  if (before_exec) {
    Status ready = before_exec(pid);
    if (!ready.ok()) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(go[1]);
      close(report[0]);
      return Error(ready.error());
    }
  }
  char byte = 1;
  ssize_t written = write(go[1], &byte, 1);
  close(go[1]);
  // exec succeeded when the report pipe closes without data (CLOEXEC).
  char buffer[256];
  ssize_t n;
  do {
    n = read(report[0], buffer, sizeof buffer);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (written != 1 || n > 0) {
    waitpid(pid, nullptr, 0);
    return Error("cannot start " + spec.argv[0] + ": " + std::string(buffer, n > 0 ? n : 0));
  }
  return pid;
}

bool process_alive(pid_t pid, bool child, int* status) {
  if (pid <= 0) return false;
  if (child) {
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      if (status != nullptr) *status = st;
      return false;
    }
    if (r < 0 && errno == ECHILD) return kill(pid, 0) == 0;
    return true;
  }
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  // A zombie that is not ours is as good as gone.
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[512];
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return false;
  buffer[n] = '\0';
  const char* close_paren = strrchr(buffer, ')');
  return !(close_paren != nullptr && close_paren[1] == ' ' && close_paren[2] == 'Z');
}

}  // namespace cairn::process
