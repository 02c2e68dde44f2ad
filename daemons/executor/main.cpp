// cairn-executor: the default command executor. The agent starts it with
// the MESOS_* environment (environment.hpp); it subscribes to the agent's
// v1 executor API and runs the tasks it is given (executor.hpp).
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <cstring>

#include "daemons/executor/environment.hpp"
#include "daemons/executor/executor.hpp"
#include "lib/event/event_loop.hpp"

namespace {

volatile std::sig_atomic_t g_terminate = 0;

extern "C" void on_terminate(int) {
  g_terminate = 1;
}

void usage() {
  std::fputs(
      "Usage: cairn-executor\n\n"
      "The default command executor of Cairn (Mesos-compatible). An agent starts it\n"
      "with MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID and\n"
      "MESOS_SANDBOX (or MESOS_DIRECTORY) in its environment; optional are\n"
      "MESOS_CHECKPOINT, MESOS_RECOVERY_TIMEOUT, MESOS_SUBSCRIPTION_BACKOFF_MAX,\n"
      "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD and MESOS_AGENT_ID (MESOS_SLAVE_ID).\n",
      stdout);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      usage();
      return 0;
    }
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("cairn-executor %s\n", CAIRN_VERSION);
      return 0;
    }
    // Mesos agents may pass flags meant for their own executor; they are
    // not needed here.
  }

  auto environment =
      cairn::executor::ExecutorEnvironment::from(cairn::flags::process_environment());
  if (!environment.ok()) {
    std::fprintf(stderr, "cairn-executor: %s\n", environment.error().c_str());
    return 1;
  }

  // A write to a closed connection must not kill the executor; tasks get
  // their signal dispositions reset before exec.
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction action {};
  action.sa_handler = on_terminate;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);

  int code = 1;
  {
    cairn::EventLoop loop;
    cairn::executor::CommandExecutor executor(loop, *environment);
    executor.watch_signal_flag(&g_terminate);
    executor.start();
    loop.run();
    code = executor.exit_code().value_or(1);
  }
  std::fflush(stdout);
  return code;
}
