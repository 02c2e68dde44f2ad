// How every `cairn` subcommand reads its flags and reports failure, so that
// all of them print errors and --help alike and use the same exit codes.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "lib/flags/flag_set.hpp"

namespace cairn::cli {

// The parsed flags, or nullopt with *exit_code set: 2 after printing the
// error (bad usage), 0 after printing --help.
template <typename F>
std::optional<F> parse_flags(flags::FlagSet<F>& set, const Args& args, int* exit_code) {
  Result<flags::Parsed<F>> parsed = set.parse(args, flags::Environment{});
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\nSee '%s --help'.\n", parsed.error().c_str(), "cairn");
    *exit_code = 2;
    return std::nullopt;
  }
  if (parsed->help) {
    std::printf("%s", set.usage().c_str());
    *exit_code = 0;
    return std::nullopt;
  }
  return parsed->flags;
}

// Prints "cairn COMMAND: message" and returns `exit_code`: 1 for a runtime
// failure, 2 for bad usage or invalid input.
inline int fail(const std::string& command, const std::string& message, int exit_code = 1) {
  std::fprintf(stderr, "cairn %s: %s\n", command.c_str(), message.c_str());
  return exit_code;
}

}  // namespace cairn::cli
