// Registry: what the master must not forget across a restart or failover
// (admitted and unreachable agents, role weights, quotas).
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

namespace cairn::master {

struct RegistryState {
  std::map<std::string, nlohmann::json> agents;  // admitted: agent id -> AgentInfo JSON
  std::map<std::string, double> unreachable;     // agent id -> when (seconds since epoch)
  std::map<std::string, double> weights;         // role -> weight
  std::map<std::string, nlohmann::json> quotas;  // role -> guarantee (v1 Resources JSON)

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
};

// A JSON file <dir>/registry.json, written to a temporary file, fsynced and
// renamed over the old one; changes made in one turn of `loop` share a write.
std::unique_ptr<Registry> make_local_registry(EventLoop& loop, std::string dir);

}  // namespace cairn::master
