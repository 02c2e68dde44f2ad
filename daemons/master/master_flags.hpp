// The flags of cairn-master, with Mesos' names and defaults, and the
// checks that tie them together (--weights syntax, --roles, --config).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/flags/flag_set.hpp"
#include "lib/logging/logging_flags.hpp"
#include "lib/units/duration.hpp"

namespace cairn::master {

struct MasterFlags : LoggingFlags {
  std::string ip = "0.0.0.0";
  uint16_t port = 5050;
  std::optional<std::string> advertise_ip;
  std::optional<std::string> hostname;
  std::string work_dir;
  std::optional<std::string> cluster;
  std::optional<std::string> config;
  std::optional<std::string> zk;
  std::optional<uint32_t> quorum;
  Duration zk_session_timeout = Duration::seconds(10);
  std::optional<std::string> roles;    // "prod,dev": when set, only these roles
  std::optional<std::string> weights;  // "prod=3,dev=1"
  std::optional<Duration> offer_timeout;
  Duration allocation_interval = Duration::seconds(1);
  Duration agent_ping_timeout = Duration::seconds(15);
  uint32_t max_agent_ping_timeouts = 5;
  Duration agent_reregister_timeout = Duration::minutes(10);
  Duration framework_failover_timeout = Duration::seconds(0);
  Duration heartbeat_interval = Duration::seconds(15);
  uint32_t max_completed_frameworks = 50;
  uint32_t max_completed_tasks_per_framework = 1000;
  uint32_t max_unreachable_tasks_per_framework = 1000;
};

// Declares every master flag on `set` (FlagSet is neither copyable nor
// movable, so the caller owns it).
void add_master_flags(flags::FlagSet<MasterFlags>& set);
inline constexpr const char* kMasterSummary =
    "The Cairn master: agents, frameworks, offers, DRF allocation, tasks and the Mesos v1 "
    "scheduler and operator APIs.";

// "prod=3,dev=1.5" → {prod: 3, dev: 1.5}; the error names the bad entry.
Result<std::map<std::string, double>> parse_weights(const std::string& text);
// "prod,dev" → {prod, dev}; role names validated.
Result<std::vector<std::string>> parse_roles(const std::string& text);

}  // namespace cairn::master
