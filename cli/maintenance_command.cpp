// `cairn maintenance`: the master's maintenance primitives from the command
// line. It reads and posts the same JSON as /master/maintenance/* and
// /master/machine/*, so what it prints can be saved, edited and posted back.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cluster_view.hpp"
#include "cli/command.hpp"
#include "cli/flag_parsing.hpp"

namespace cairn::cli {
namespace {

struct MaintenanceFlags {
  std::string master = default_master();
  std::optional<std::string> action;
  std::vector<std::string> machines;
  std::optional<std::string> file;
  std::string start = "now";
  Duration duration = Duration::hours(1);
};

constexpr const char* kActions = "status, schedule, drain, down or up";

// "hostname/ip", "hostname" or "/ip" → a MachineID.
Result<nlohmann::json> machine_json(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string hostname = text.substr(0, slash);
  const std::string ip = slash == std::string::npos ? "" : text.substr(slash + 1);
  if (hostname.empty() && ip.empty()) {
    return Error("'" + text + "' names no machine; expected hostname/ip, hostname or /ip");
  }
  nlohmann::json machine = nlohmann::json::object();
  if (!hostname.empty()) machine["hostname"] = hostname;
  if (!ip.empty()) machine["ip"] = ip;
  return machine;
}

Result<int64_t> start_nanoseconds(const std::string& start) {
  if (start == "now") {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  size_t used = 0;
  double seconds = 0;
  try {
    seconds = std::stod(start, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != start.size() || !(seconds >= 0)) {
    return Error("--start: expected 'now' or seconds since the epoch, got '" + start + "'");
  }
  return static_cast<int64_t>(seconds * 1e9);
}

Result<std::string> read_input(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) return Error("cannot read " + path);
    text << in.rdbuf();
  }
  return text.str();
}

// The master's answer to a change: nothing on success, its message otherwise.
int report(const char* what, const Result<http::Response>& response) {
  if (!response.ok()) return fail("maintenance", response.error());
  if (response->status != 200) {
    std::fprintf(stderr, "cairn maintenance: the master refused the %s (%d): %s\n", what,
                 response->status, response->body.c_str());
    return response->status == 400 ? 2 : 1;
  }
  return 0;
}

void print_status(const nlohmann::json& status) {
  std::printf("%-40s %s\n", "MACHINE (hostname/ip)", "MODE");
  auto name = [](const nlohmann::json& id) {
    return id.value("hostname", "") + "/" + id.value("ip", "");
  };
  for (const nlohmann::json& draining : status.value("draining_machines", nlohmann::json::array())) {
    std::printf("%-40s %s\n", name(draining.value("id", nlohmann::json::object())).c_str(), "DRAINING");
  }
  for (const nlohmann::json& down : status.value("down_machines", nlohmann::json::array())) {
    std::printf("%-40s %s\n", name(down).c_str(), "DOWN");
  }
}

}  // namespace

int run_maintenance_command(const Args& args) {
  flags::FlagSet<MaintenanceFlags> set(
      "cairn maintenance",
      "Machine maintenance (Mesos' maintenance primitives). ACTION is status (the default: "
      "machines draining or down), schedule (print the schedule JSON; with --file, replace it), "
      "drain MACHINE... (add a window for them), down MACHINE... (start maintenance: their "
      "agents are shut down) or up MACHINE... (end it). MACHINE is hostname/ip, hostname or /ip, "
      "as the agent announces them.");
  set.add(&MaintenanceFlags::master, "master", kMasterHelp);
  set.add(&MaintenanceFlags::file, "file", "schedule: post this JSON schedule ('-': stdin).");
  set.add(&MaintenanceFlags::start, "start", "drain: when the window starts: now or seconds since the epoch.");
  set.add(&MaintenanceFlags::duration, "duration", "drain: how long the machines may be unavailable.");
  set.positional(&MaintenanceFlags::action, "ACTION", kActions);
  set.positional(&MaintenanceFlags::machines, "MACHINE", "Machines (drain, down, up).");
  int code = 0;
  auto flags = parse_flags(set, args, &code);
  if (!flags) return code;
  const std::string action = flags->action.value_or("status");
  const bool takes_machines = action == "drain" || action == "down" || action == "up";
  if (action != "status" && action != "schedule" && !takes_machines) {
    return fail("maintenance", "unknown action '" + action + "'; expected " + kActions, 2);
  }
  if (takes_machines == flags->machines.empty()) {
    return fail("maintenance " + action,
                takes_machines ? "name at least one MACHINE (hostname/ip)" : "takes no MACHINE", 2);
  }
  nlohmann::json machines = nlohmann::json::array();
  for (const std::string& text : flags->machines) {
    Result<nlohmann::json> machine = machine_json(text);
    if (!machine.ok()) return fail("maintenance", machine.error(), 2);
    machines.push_back(*machine);
  }
  Result<int64_t> start = start_nanoseconds(flags->start);
  if (!start.ok()) return fail("maintenance", start.error(), 2);

  BlockingClient client;
  Result<std::string> master = resolve_master(client, flags->master);
  if (!master.ok()) return fail("maintenance", master.error());
  const std::string base = *master + "/master";

  if (action == "status") {
    Result<nlohmann::json> status = client.get_json(base + "/maintenance/status");
    if (!status.ok()) return fail("maintenance", status.error());
    print_status(*status);
    return 0;
  }
  if (action == "schedule" && !flags->file) {
    Result<nlohmann::json> schedule = client.get_json(base + "/maintenance/schedule");
    if (!schedule.ok()) return fail("maintenance", schedule.error());
    std::printf("%s\n", schedule->dump(2).c_str());
    return 0;
  }
  if (action == "schedule") {
    Result<std::string> text = read_input(*flags->file);
    if (!text.ok()) return fail("maintenance", text.error(), 2);
    nlohmann::json schedule = nlohmann::json::parse(*text, nullptr, false);
    if (schedule.is_discarded()) return fail("maintenance", *flags->file + " is not JSON", 2);
    return report("schedule", client.post_json(base + "/maintenance/schedule", schedule));
  }
  if (action == "drain") {
    // Read, add a window, post: the schedule is replaced as a whole.
    Result<nlohmann::json> schedule = client.get_json(base + "/maintenance/schedule");
    if (!schedule.ok()) return fail("maintenance", schedule.error());
    nlohmann::json window{{"machine_ids", machines},
                          {"unavailability",
                           {{"start", {{"nanoseconds", *start}}},
                            {"duration", {{"nanoseconds", flags->duration.ns()}}}}}};
    (*schedule)["windows"].push_back(std::move(window));
    return report("schedule", client.post_json(base + "/maintenance/schedule", *schedule));
  }
  return report(action == "down" ? "machines to take down" : "machines to bring up",
                client.post_json(base + (action == "down" ? "/machine/down" : "/machine/up"), machines));
}

}  // namespace cairn::cli
