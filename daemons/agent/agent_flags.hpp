// The flags of cairn-agent, with Mesos' names and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/flags/flag_set.hpp"
#include "lib/logging/logging_flags.hpp"
#include "lib/units/duration.hpp"

namespace cairn::agent {

struct AgentFlags : LoggingFlags {
  // host:port, http(s)://host:port, zk://[user:password@]host:port[,...]/path,
  // or file:///path holding one of these (lib/detector/master_detector.hpp).
  std::string master;
  Duration zk_session_timeout = Duration::seconds(10);
  std::string ip = "0.0.0.0";
  uint16_t port = 5051;
  std::optional<std::string> advertise_ip;
  std::optional<std::string> hostname;
  std::string work_dir;
  std::optional<std::string> config;
  std::optional<std::string> resources;
  std::optional<std::string> attributes;
  std::string default_role = "*";
  std::string containerizers = "mesos";
  std::string isolation = "posix/cpu,posix/mem";
  std::string cgroups_root = "cairn";
  bool cgroups_enable_cfs = true;
  Duration executor_registration_timeout = Duration::minutes(1);
  Duration executor_shutdown_grace_period = Duration::seconds(5);
  std::string recover = "reconnect";
  Duration recovery_timeout = Duration::minutes(15);
  bool strict = true;
  Duration gc_delay = Duration::hours(24 * 7);
  std::string docker = "docker";
  std::string docker_socket = "/var/run/docker.sock";
  std::optional<std::string> executor_path;  // default: cairn-executor next to cairn-agent
  Duration registration_backoff_factor = Duration::seconds(1);
  std::string fetcher_cache_dir = "/tmp/cairn/fetch";
};

void add_agent_flags(flags::FlagSet<AgentFlags>& set);
inline constexpr const char* kAgentSummary =
    "The Cairn agent: advertises this machine's resources to the master and runs tasks in "
    "isolated containers, surviving its own restarts.";

}  // namespace cairn::agent
