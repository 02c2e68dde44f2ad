// Placeholder until lib/spec lands; replaced by the spec module's author.
#include <cstdio>

#include "cli/command.hpp"

namespace cairn::cli {

int run_spec_command(const Args&) {
  std::fprintf(stderr, "cairn spec: not available in this build\n");
  return 1;
}

}  // namespace cairn::cli
