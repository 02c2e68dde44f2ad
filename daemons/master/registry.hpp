// Registry: what the master must not forget across a restart or failover
// (admitted and unreachable agents, frameworks, role weights, quotas, the
// maintenance schedule).
//
// The master changes the registry only through apply(), and acknowledges an
// operation (admits an agent, answers UPDATE_WEIGHTS...) only once `done`
// reports the change durable. The interface is asynchronous because the
// replicated registry (ZooKeeper, for HA clusters) writes over the network;
// LocalRegistry, for a standalone master, keeps one JSON file under
// --work_dir, replaced atomically so that a crash never leaves half a file.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"

namespace cairn::zk {
class Client;
}

namespace cairn::master {

struct RegistryState {
  std::map<std::string, nlohmann::json> agents;  // admitted: agent id -> AgentInfo JSON
  std::map<std::string, double> unreachable;     // agent id -> when (seconds since epoch)
  std::map<std::string, double> weights;         // role -> weight
  std::map<std::string, nlohmann::json> quotas;  // role -> guarantee (v1 Resources JSON)
  // Frameworks that subscribed: id -> FrameworkInfo JSON (a failed-over
  // master knows them before they re-subscribe).
  std::map<std::string, nlohmann::json> frameworks;
  // The maintenance schedule and the machines that are down (Maintenance's
  // JSON form); an empty object when nothing is scheduled.
  nlohmann::json maintenance = nlohmann::json::object();

  nlohmann::json to_json() const;
  static Result<RegistryState> from_json(const nlohmann::json& json);
};

class Registry {
 public:
  using Mutation = std::function<void(RegistryState&)>;
  virtual ~Registry() = default;

  // The stored state (empty on first start). Called once before apply().
  virtual void recover(std::function<void(Result<RegistryState>)> done) = 0;
  // Applies `mutation` to the stored state and persists it. On failure the
  // stored state is unchanged.
  virtual void apply(Mutation mutation, std::function<void(Status)> done) = 0;
  // What is durably stored: the recovered state plus every change reported
  // written. With settled(), it lets a caller see that a change would
  // change nothing (an agent re-registering as it was admitted) and skip
  // the write.
  virtual const RegistryState& stored() const = 0;
  // No change is waiting or being written.
  virtual bool settled() const = 0;
};

// A JSON file <dir>/registry.json, written to a temporary file, fsynced and
// renamed over the old one; changes made in one turn of `loop` share a write.
std::unique_ptr<Registry> make_local_registry(EventLoop& loop, std::string dir);

// The registry of an HA cluster, in ZooKeeper under `<root>/registry`,
// written by the leading master over its own session `client`. Every write
// is one version-checked multi() that also checks `leader_node` (the
// master's ephemeral json.info_ node): a master that is no longer the
// leader, or whose view is stale, cannot write. Agents are sharded over
// many nodes so that no node nears ZooKeeper's 1 MB limit at 50,000 agents.
std::unique_ptr<Registry> make_zk_registry(EventLoop& loop, zk::Client& client, std::string root,
                                           std::string leader_node);

}  // namespace cairn::master
