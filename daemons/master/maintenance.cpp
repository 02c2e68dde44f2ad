#include "daemons/master/maintenance.hpp"

#include <arpa/inet.h>
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "lib/base/ascii.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::master {

using mesos::FieldError;
using mesos::Fields;

namespace {

bool valid_ip(const std::string& ip) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, ip.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, ip.c_str(), buffer) == 1;
}

MachineId read_machine(const Fields& f) {
  MachineId machine{ascii_lower(f.optional_string("hostname").value_or("")),
                    f.optional_string("ip").value_or("")};
  if (machine.hostname.empty() && machine.ip.empty()) {
    throw FieldError(f.path() + ": a machine needs a hostname or an ip");
  }
  if (!machine.ip.empty() && !valid_ip(machine.ip)) {
    f.fail("ip", "'" + machine.ip + "' is not an IPv4 or IPv6 address");
  }
  return machine;
}

int64_t read_nanoseconds(const Fields& parent, std::string_view key) {
  Fields time = parent.required_object(key);
  const nlohmann::json* ns = time.get("nanoseconds");
  if (ns == nullptr || !ns->is_number_integer()) {
    time.fail("nanoseconds", "expected an integer number of nanoseconds");
  }
  return ns->get<int64_t>();
}

std::vector<MachineId> read_machine_list(const std::vector<nlohmann::json>& items,
                                         const std::string& path) {
  std::vector<MachineId> machines;
  for (size_t i = 0; i < items.size(); ++i) {
    machines.push_back(read_machine(Fields(items[i], fmt::format("{}[{}]", path, i))));
  }
  return machines;
}

}  // namespace

nlohmann::json MachineId::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  if (!hostname.empty()) out["hostname"] = hostname;
  if (!ip.empty()) out["ip"] = ip;
  return out;
}

std::string MachineId::to_string() const { return hostname + "/" + ip; }

MachineId machine_of(const std::string& hostname, const std::string& ip) {
  return {ascii_lower(hostname), ip};
}

nlohmann::json Unavailability::to_json() const {
  nlohmann::json out{{"start", {{"nanoseconds", start_ns}}}};
  if (duration_ns) out["duration"] = {{"nanoseconds", *duration_ns}};
  return out;
}

Result<std::vector<MaintenanceWindow>> parse_schedule(const nlohmann::json& json) {
  return mesos::parse_fields([&] {
    Fields schedule(json, "schedule");
    std::vector<MaintenanceWindow> windows;
    const auto& items = schedule.array("windows");
    std::set<MachineId> seen;
    for (size_t i = 0; i < items.size(); ++i) {
      Fields window(items[i], fmt::format("windows[{}]", i));
      MaintenanceWindow parsed;
      parsed.machines = read_machine_list(window.array("machine_ids"), window.path_of("machine_ids"));
      if (parsed.machines.empty()) window.fail("machine_ids", "a window needs at least one machine");
      for (const MachineId& machine : parsed.machines) {
        if (!seen.insert(machine).second) {
          window.fail("machine_ids",
                      "machine " + machine.to_string() + " appears more than once in the schedule");
        }
      }
      if (!window.has("unavailability")) window.fail("unavailability", "a window needs one");
      Fields unavailability = window.required_object("unavailability");
      parsed.unavailability.start_ns = read_nanoseconds(unavailability, "start");
      if (unavailability.has("duration")) {
        int64_t duration = read_nanoseconds(unavailability, "duration");
        if (duration < 0) unavailability.fail("duration", "must not be negative");
        parsed.unavailability.duration_ns = duration;
      }
      windows.push_back(std::move(parsed));
    }
    return windows;
  });
}

Result<std::vector<MachineId>> parse_machines(const nlohmann::json& json, const std::string& path) {
  return mesos::parse_fields([&] {
    if (!json.is_array()) throw FieldError(path + ": expected a JSON array of machine ids");
    std::vector<nlohmann::json> items(json.begin(), json.end());
    std::vector<MachineId> machines = read_machine_list(items, path);
    if (machines.empty()) throw FieldError(path + ": the list of machines is empty");
    std::set<MachineId> seen;
    for (const MachineId& machine : machines) {
      if (!seen.insert(machine).second) {
        throw FieldError(path + ": machine " + machine.to_string() + " is listed more than once");
      }
    }
    return machines;
  });
}

Result<Maintenance> Maintenance::with_schedule(std::vector<MaintenanceWindow> schedule) const {
  Maintenance next;
  for (const MaintenanceWindow& window : schedule) {
    for (const MachineId& machine : window.machines) {
      auto current = modes_.find(machine);
      next.modes_[machine] = current != modes_.end() ? current->second : MachineMode::kDraining;
    }
  }
  for (const auto& [machine, mode] : modes_) {
    if (mode == MachineMode::kDown && !next.modes_.count(machine)) {
      return Error("machine " + machine.to_string() +
                   " is DOWN and must stay in the schedule; bring it up with /machine/up "
                   "(STOP_MAINTENANCE) first");
    }
  }
  next.schedule_ = std::move(schedule);
  return next;
}

Result<Maintenance> Maintenance::with_down(const std::vector<MachineId>& machines) const {
  Maintenance next = *this;
  for (const MachineId& machine : machines) {
    auto mode = modes_.find(machine);
    if (mode == modes_.end()) {
      return Error("machine " + machine.to_string() +
                   " is not in the maintenance schedule; schedule it first");
    }
    if (mode->second == MachineMode::kDown) {
      return Error("machine " + machine.to_string() + " is already DOWN");
    }
    next.modes_[machine] = MachineMode::kDown;
  }
  return next;
}

Result<Maintenance> Maintenance::with_up(const std::vector<MachineId>& machines) const {
  Maintenance next = *this;
  for (const MachineId& machine : machines) {
    auto mode = modes_.find(machine);
    if (mode == modes_.end() || mode->second != MachineMode::kDown) {
      return Error("machine " + machine.to_string() + " is not DOWN (it is " +
                   (mode == modes_.end() ? "UP" : "DRAINING") + ")");
    }
    next.modes_.erase(machine);
  }
  for (MaintenanceWindow& window : next.schedule_) {
    std::erase_if(window.machines, [&](const MachineId& m) { return !next.modes_.count(m); });
  }
  std::erase_if(next.schedule_, [](const MaintenanceWindow& w) { return w.machines.empty(); });
  return next;
}

std::optional<MachineMode> Maintenance::mode(const MachineId& machine) const {
  auto it = modes_.find(machine);
  if (it == modes_.end()) return std::nullopt;
  return it->second;
}

std::optional<Unavailability> Maintenance::unavailability(const MachineId& machine) const {
  if (!modes_.count(machine)) return std::nullopt;
  for (const MaintenanceWindow& window : schedule_) {
    if (std::find(window.machines.begin(), window.machines.end(), machine) != window.machines.end()) {
      return window.unavailability;
    }
  }
  return std::nullopt;
}

nlohmann::json Maintenance::schedule_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const MaintenanceWindow& window : schedule_) {
    nlohmann::json ids = nlohmann::json::array();
    for (const MachineId& machine : window.machines) ids.push_back(machine.to_json());
    out["windows"].push_back(
        {{"machine_ids", std::move(ids)}, {"unavailability", window.unavailability.to_json()}});
  }
  return out;
}

nlohmann::json Maintenance::status_json() const {
  // Repeated fields only when non-empty (Mesos' JSON). Frameworks' answers
  // to inverse offers would go in each draining machine's "statuses".
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [machine, mode] : modes_) {
    if (mode == MachineMode::kDraining) {
      out["draining_machines"].push_back({{"id", machine.to_json()}});
    } else {
      out["down_machines"].push_back(machine.to_json());
    }
  }
  return out;
}

nlohmann::json Maintenance::to_json() const {
  nlohmann::json down = nlohmann::json::array();
  for (const auto& [machine, mode] : modes_) {
    if (mode == MachineMode::kDown) down.push_back(machine.to_json());
  }
  return {{"schedule", schedule_json()}, {"down_machines", std::move(down)}};
}

Result<Maintenance> Maintenance::from_json(const nlohmann::json& json) {
  if (!json.is_object()) return Error("maintenance: expected a JSON object");
  Result<std::vector<MaintenanceWindow>> schedule =
      parse_schedule(json.value("schedule", nlohmann::json::object()));
  if (!schedule.ok()) return Error("maintenance: " + schedule.error());
  Result<Maintenance> scheduled = Maintenance().with_schedule(std::move(*schedule));
  if (!scheduled.ok()) return Error("maintenance: " + scheduled.error());
  const nlohmann::json down = json.value("down_machines", nlohmann::json::array());
  if (down.empty()) return scheduled;
  Result<std::vector<MachineId>> machines = parse_machines(down, "down_machines");
  if (!machines.ok()) return Error("maintenance: " + machines.error());
  return scheduled->with_down(*machines);
}

}  // namespace cairn::master
