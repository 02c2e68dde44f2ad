// The master's side of maintenance: a validated change of schedule or
// machine modes is written to the registry first, then takes effect.
#include "daemons/master/master.hpp"
#include "lib/logging/log.hpp"

namespace cairn::master {

void Master::change_maintenance(Result<Maintenance> next,
                                std::function<void(int, std::string)> done) {
  if (!next.ok()) return done(400, next.error());
  // Agents on machines this change takes down are removed in the same
  // write, so that no master elected later re-admits them.
  std::vector<std::string> removed;
  for (const auto& [id, agent] : agents_) {
    const MachineId machine = machine_of(agent);
    if (next->mode(machine) == MachineMode::kDown && maintenance_.mode(machine) != MachineMode::kDown) {
      removed.push_back(id);
    }
  }
  nlohmann::json json = next->to_json();  // before `next` moves into the callback
  registry_->apply(
      [json = std::move(json), removed](RegistryState& state) {
        state.maintenance = json;
        for (const std::string& id : removed) {
          state.agents.erase(id);
          state.unreachable.erase(id);
        }
      },
      [this, alive = std::weak_ptr<bool>(alive_), next = std::move(*next), removed,
       done = std::move(done)](Status written) mutable {
        if (alive.expired()) return;
        if (!written.ok()) return done(503, "Cannot record the maintenance change: " + written.error());
        const Maintenance previous = std::exchange(maintenance_, std::move(next));
        for (const std::string& id : removed) {
          Agent* agent = find_agent(id);
          if (agent == nullptr) continue;
          const MachineId machine = machine_of(*agent);
          log::warning("Removing agent {} ({}): its machine {} is DOWN for maintenance", id,
                       agent->hostname, machine.to_string());
          send_to_agent(*agent, {{"type", "SHUTDOWN"},
                                 {"shutdown", {{"message", "machine " + machine.to_string() +
                                                               " is DOWN for maintenance"}}}});
          remove_agent_state(*agent, AgentRemoval::kGone,
                             "Agent " + id + " was removed: its machine is DOWN for maintenance");
        }
        // Outstanding offers carry the old unavailability: take them back so
        // that the next cycle offers the resources with the new one.
        std::vector<std::string> stale;
        for (const auto& [id, agent] : agents_) {
          const MachineId machine = machine_of(agent);
          if (previous.unavailability(machine) != maintenance_.unavailability(machine)) {
            stale.insert(stale.end(), agent.offers.begin(), agent.offers.end());
          }
        }
        for (const std::string& offer : stale) rescind_offer(offer, true, std::nullopt);
        schedule_allocation();
        done(200, "");
      });
}

}  // namespace cairn::master
