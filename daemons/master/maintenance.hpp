// Maintenance: the cluster's maintenance schedule and the mode of each
// machine in it, as Mesos' maintenance primitives define them.
//
// A machine is UP until a posted schedule names it; it is then DRAINING
// (offers of its agents carry the window's unavailability) until the
// operator takes it DOWN (its agents are shut down and refused), and UP
// again only when the operator brings it up, which also drops it from the
// schedule. This is a value type: every transition validates the request
// against the current state and returns the next state or an error naming
// what was wrong, so the master can write the new state to the registry
// before it takes effect. Its JSON form is what the registry stores.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::master {

// A machine as Mesos identifies it: both fields must match what an agent
// announces (an omitted one is ""). Hostnames compare case-insensitively,
// so they are kept lower-case.
struct MachineId {
  std::string hostname;
  std::string ip;

  auto operator<=>(const MachineId&) const = default;
  nlohmann::json to_json() const;
  std::string to_string() const;  // "hostname/ip" for messages
};

// The machine an agent runs on: its announced hostname and IP.
MachineId machine_of(const std::string& hostname, const std::string& ip);

struct Unavailability {
  int64_t start_ns = 0;
  std::optional<int64_t> duration_ns;

  bool operator==(const Unavailability&) const = default;
  nlohmann::json to_json() const;  // {"start":{"nanoseconds":N},"duration":{...}}
};

struct MaintenanceWindow {
  std::vector<MachineId> machines;
  Unavailability unavailability;

  bool operator==(const MaintenanceWindow&) const = default;
};

enum class MachineMode { kDraining, kDown };

// Parses `{"windows":[{"machine_ids":[...],"unavailability":{...}}]}`
// (an empty object is the empty schedule).
Result<std::vector<MaintenanceWindow>> parse_schedule(const nlohmann::json& json);
// Parses a JSON array of MachineIDs (/machine/down, START_MAINTENANCE...):
// not empty, each once, each with a hostname or a well-formed IP.
Result<std::vector<MachineId>> parse_machines(const nlohmann::json& json, const std::string& path);

class Maintenance {
 public:
  // The next state after posting `schedule`, which replaces the old one:
  // newly named machines drain, machines left out are UP again. Refused
  // when a DOWN machine is left out (only /machine/up brings it back).
  Result<Maintenance> with_schedule(std::vector<MaintenanceWindow> schedule) const;
  // DRAINING → DOWN; each machine must be scheduled and draining.
  Result<Maintenance> with_down(const std::vector<MachineId>& machines) const;
  // DOWN → UP; each machine must be down. They leave the schedule, and a
  // window left without machines goes with them.
  Result<Maintenance> with_up(const std::vector<MachineId>& machines) const;

  std::optional<MachineMode> mode(const MachineId& machine) const;
  // The window of a scheduled machine.
  std::optional<Unavailability> unavailability(const MachineId& machine) const;
  const std::vector<MaintenanceWindow>& schedule() const { return schedule_; }
  const std::map<MachineId, MachineMode>& modes() const { return modes_; }

  nlohmann::json schedule_json() const;  // maintenance::Schedule
  nlohmann::json status_json() const;    // maintenance::ClusterStatus
  // The registry's form: the schedule plus the machines that are down.
  nlohmann::json to_json() const;
  static Result<Maintenance> from_json(const nlohmann::json& json);

  bool operator==(const Maintenance&) const = default;

 private:
  std::vector<MaintenanceWindow> schedule_;
  std::map<MachineId, MachineMode> modes_;  // scheduled machines only; absent = UP
};

}  // namespace cairn::master
