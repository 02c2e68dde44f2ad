#include "bench/common/machine.hpp"

#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cairn::bench {

namespace {

volatile sig_atomic_t g_interrupted = 0;

void on_signal(int) {
  g_interrupted = 1;
}

}  // namespace

void raise_file_limit(const char* program) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      std::fprintf(stderr, "%s: warning: cannot raise the open-file limit: %s\n", program,
                   std::strerror(errno));
    }
  }
}

void catch_interrupts() {
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
  return g_interrupted != 0;
}

double load_average() {
  double load = -1;
  if (std::FILE* file = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(file, "%lf", &load) != 1) load = -1;
    std::fclose(file);
  }
  return load;
}

}  // namespace cairn::bench
