// A `cairn` subcommand: gets the arguments after its name, returns the exit
// code. Exit codes: 0 success, 1 runtime failure, 2 bad usage or invalid input.
#pragma once

#include <string>
#include <vector>

namespace cairn::cli {

using Args = std::vector<std::string>;

int run_spec_command(const Args& args);
int run_dev_command(const Args& args);
int run_state_command(const Args& args);
int run_resolve_command(const Args& args);
int run_ps_command(const Args& args);
int run_ls_command(const Args& args);
int run_cat_command(const Args& args);
int run_tail_command(const Args& args);
int run_execute_command(const Args& args);
int run_maintenance_command(const Args& args);

}  // namespace cairn::cli
