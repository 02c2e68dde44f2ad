#include "daemons/agent/fetcher/run_tool.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "daemons/agent/fetcher/scoped_file.hpp"

namespace cairn::fetcher {

namespace {

constexpr size_t kMaxOutput = 4096;

// PATH lookup in the parent: execvp may allocate, which a forked child of a
// multi-threaded process must not do.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* env = std::getenv("PATH");
  std::string path = env != nullptr && *env != '\0' ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv)
    out += (out.empty() ? "" : " ") + arg;
  return out;
}

}  // namespace

Result<ToolOutcome> run_tool(const std::vector<std::string>& argv, const std::string& stdout_path) {
  if (argv.empty()) return Error("no program to run");
  std::string program = find_program(argv[0]);
  if (program.empty()) return Error("'" + argv[0] + "' is not installed (not found in PATH)");

  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in.valid()) return errno_error("cannot open", "/dev/null");
  UniqueFd out_file;
  if (!stdout_path.empty()) {
    out_file = UniqueFd(
        ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!out_file.valid()) return errno_error("cannot create", stdout_path);
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Error(std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  pid_t pid = ::fork();
  if (pid < 0) return Error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Async-signal-safe calls only from here on.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s)
      signal(s, SIG_DFL);
    int out = out_file.valid() ? out_file.get() : write_end.get();
    if (dup2(null_in.get(), 0) < 0 || dup2(out, 1) < 0 || dup2(write_end.get(), 2) < 0) _exit(126);
    ::close_range(3, ~0U, 0);
    execv(program.c_str(), args.data());
    static const char kMessage[] = "exec failed\n";
    if (write(2, kMessage, sizeof kMessage - 1) < 0) {
    }
    _exit(127);
  }
  write_end.reset();
  out_file.reset();

  ToolOutcome outcome;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // Keep the head of the output: the first error is the telling one.
    size_t room = kMaxOutput - std::min(kMaxOutput, outcome.output.size());
    outcome.output.append(buffer, std::min(room, static_cast<size_t>(n)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error(std::string("waitpid: ") + std::strerror(errno));
  }
  // One line, so that the message reads well inside an error or a log.
  std::string line;
  size_t start = 0;
  while (start < outcome.output.size()) {
    size_t end = std::min(outcome.output.find('\n', start), outcome.output.size());
    std::string part = outcome.output.substr(start, end - start);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\r'))
      part.pop_back();
    if (!part.empty()) line += (line.empty() ? "" : "; ") + part;
    start = end + 1;
  }
  outcome.output = std::move(line);
  if (WIFSIGNALED(status))
    return Error("`" + command_line(argv) + "` was killed by signal " +
                 std::to_string(WTERMSIG(status)));
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string describe_failure(const std::vector<std::string>& argv, const ToolOutcome& outcome) {
  std::string text =
      "`" + command_line(argv) + "` exited with status " + std::to_string(outcome.exit_code);
  if (!outcome.output.empty()) text += ": " + outcome.output;
  return text;
}

}  // namespace cairn::fetcher
