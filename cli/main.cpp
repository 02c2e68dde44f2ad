// `cairn`: the day-to-day command line for users and operators.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli/command.hpp"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const cairn::cli::Args&);
};

constexpr Command kCommands[] = {
    {"spec", "validate the cluster spec, print an example", cairn::cli::run_spec_command},
    {"dev", "run a whole single-machine cluster in the foreground", cairn::cli::run_dev_command},
    {"ps", "list tasks", cairn::cli::run_ps_command},
    {"execute", "run a command as a task and wait for it", cairn::cli::run_execute_command},
    {"ls", "list a task's sandbox", cairn::cli::run_ls_command},
    {"cat", "print a file of a task's sandbox", cairn::cli::run_cat_command},
    {"tail", "print the end of a sandbox file (-f to follow)", cairn::cli::run_tail_command},
    {"state", "print the master's state JSON", cairn::cli::run_state_command},
    {"resolve", "print the leading master's address", cairn::cli::run_resolve_command},
    {"maintenance", "machine maintenance: status, schedule, drain, down, up",
     cairn::cli::run_maintenance_command},
};

void usage(FILE* out) {
  std::fprintf(out, "Usage: cairn COMMAND [ARGS...]\n\nCommands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out, "  %-12s %s\n  %-12s %s\n", "version", "print the Cairn version", "help",
               "print this help");
  std::fprintf(out, "\nRun 'cairn COMMAND --help' for a command's options.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    usage(stdout);
    return 0;
  }
  if (name == "version" || name == "--version") {
    std::printf("cairn %s\n", CAIRN_VERSION);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (c.name == name) return c.run(cairn::cli::Args(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "cairn: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
