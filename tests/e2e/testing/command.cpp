#include "tests/e2e/testing/command.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "lib/fs/atomic_file.hpp"
#include "lib/process/launch.hpp"

extern char** environ;

namespace cairn::e2e {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

Result<std::string> find_program(const std::string& name) {
  if (name.empty()) return Error("no program name given");
  if (name.find('/') != std::string::npos) {
    if (is_executable_file(name)) return name;
    return Error(name + " is not an executable file");
  }
  const char* env_path = std::getenv("PATH");
  std::string search = env_path != nullptr ? env_path : "/usr/local/bin:/usr/bin:/bin";
  search += ":/usr/local/sbin:/usr/sbin:/sbin";
  std::stringstream dirs(search);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return Error("cannot find program '" + name + "' in " + search);
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

int exit_code_of(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return -1;
}

std::string describe_command(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) {
    if (!text.empty()) text += ' ';
    text += arg;
  }
  return text;
}

Result<CommandOutput> run_command(const std::vector<std::string>& argv) {
  if (argv.empty()) return Error("no command to run");
  Result<std::string> program = find_program(argv[0]);
  if (!program.ok()) return Error(program.error());

  // launch_process writes a child's output into files; a temporary file
  // holding both streams keeps their order.
  char output_path[] = "/tmp/cairn-e2e-command-XXXXXX";
  int fd = ::mkstemp(output_path);
  if (fd < 0) return Error(std::string("cannot create a temporary file: ") + std::strerror(errno));
  ::close(fd);

  process::ProcessSpec spec;
  spec.argv = argv;
  spec.argv[0] = *program;
  spec.environment = current_environment();
  spec.stdout_path = output_path;
  spec.stderr_path = output_path;
  Result<pid_t> pid = process::launch_process(spec);
  if (!pid.ok()) {
    ::unlink(output_path);
    return Error(pid.error());
  }
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0) {
    if (errno != EINTR) {
      int err = errno;
      ::unlink(output_path);
      return Error("cannot wait for " + describe_command(argv) + ": " + std::strerror(err));
    }
  }
  Result<std::string> output = fs::read_file(output_path);
  ::unlink(output_path);
  CommandOutput result;
  result.exit_code = exit_code_of(status);
  result.output = output.value_or("");
  return result;
}

Result<std::string> run_checked(const std::vector<std::string>& argv) {
  Result<CommandOutput> result = run_command(argv);
  if (!result.ok()) return Error(result.error());
  if (result->exit_code != 0) {
    return Error("'" + describe_command(argv) + "' exited with " +
                 std::to_string(result->exit_code) + ": " + result->output);
  }
  return std::move(result->output);
}

}  // namespace cairn::e2e
