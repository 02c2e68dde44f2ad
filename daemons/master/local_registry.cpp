#include <filesystem>
#include <vector>

#include "daemons/master/registry.hpp"
#include "lib/fs/atomic_file.hpp"

namespace cairn::master {

nlohmann::json RegistryState::to_json() const {
  nlohmann::json out{{"agents", nlohmann::json::object()},
                     {"unreachable", nlohmann::json::object()},
                     {"weights", nlohmann::json::object()},
                     {"quotas", nlohmann::json::object()},
                     {"frameworks", nlohmann::json::object()}};
  for (const auto& [id, info] : agents) out["agents"][id] = info;
  for (const auto& [id, time] : unreachable) out["unreachable"][id] = time;
  for (const auto& [role, weight] : weights) out["weights"][role] = weight;
  for (const auto& [role, guarantee] : quotas) out["quotas"][role] = guarantee;
  for (const auto& [id, info] : frameworks) out["frameworks"][id] = info;
  if (!maintenance.empty()) out["maintenance"] = maintenance;
  return out;
}

Result<RegistryState> RegistryState::from_json(const nlohmann::json& json) {
  if (!json.is_object()) return Error("registry: expected a JSON object");
  RegistryState state;
  try {
    const nlohmann::json agents = json.value("agents", nlohmann::json::object());
    const nlohmann::json unreachable = json.value("unreachable", nlohmann::json::object());
    const nlohmann::json weights = json.value("weights", nlohmann::json::object());
    const nlohmann::json quotas = json.value("quotas", nlohmann::json::object());
    const nlohmann::json frameworks = json.value("frameworks", nlohmann::json::object());
    for (const auto& [id, info] : agents.items()) {
      state.agents[id] = info;
    }
    for (const auto& [id, time] : unreachable.items()) {
      state.unreachable[id] = time.get<double>();
    }
    for (const auto& [role, weight] : weights.items()) {
      state.weights[role] = weight.get<double>();
    }
    for (const auto& [role, guarantee] : quotas.items()) {
      state.quotas[role] = guarantee;
    }
    for (const auto& [id, info] : frameworks.items()) {
      state.frameworks[id] = info;
    }
    state.maintenance = json.value("maintenance", nlohmann::json::object());
    if (!state.maintenance.is_object()) return Error("registry: 'maintenance' is not an object");
  } catch (const nlohmann::json::exception& e) {
    return Error(std::string("registry: ") + e.what());
  }
  return state;
}

namespace {

// Writes are coalesced: every apply() of one loop turn goes into a single
// file replacement (1,000 agents registering at once cost a few writes,
// not 1,000 fsyncs), and each caller hears back only once its change is on
// disk.
class LocalRegistry : public Registry {
 public:
  LocalRegistry(EventLoop& loop, std::string dir)
      : loop_(loop), path_(std::filesystem::path(dir) / "registry.json") {}

  void recover(std::function<void(Result<RegistryState>)> done) override {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) return done(Error("cannot create " + path_.parent_path().string() + ": " + ec.message()));
    if (!std::filesystem::exists(path_)) return done(state_);
    Result<std::string> text = fs::read_file(path_.string());
    if (!text.ok()) return done(Error(text.error()));
    nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded()) return done(Error(path_.string() + " is not valid JSON"));
    Result<RegistryState> state = RegistryState::from_json(json);
    if (!state.ok()) return done(Error(path_.string() + ": " + state.error()));
    state_ = *state;
    done(state_);
  }

  const RegistryState& stored() const override { return state_; }
  bool settled() const override { return pending_.empty(); }

  void apply(Mutation mutation, std::function<void(Status)> done) override {
    pending_.push_back({std::move(mutation), std::move(done)});
    if (pending_.size() > 1) return;  // a flush is already queued
    loop_.post([alive = std::weak_ptr<bool>(alive_), this] {
      if (!alive.expired()) flush();
    });
  }

 private:
  struct Pending {
    Mutation mutation;
    std::function<void(Status)> done;
  };

  void flush() {
    std::vector<Pending> batch;
    batch.swap(pending_);
    RegistryState next = state_;
    for (Pending& p : batch) p.mutation(next);
    Status written = fs::write_file_atomically(path_.string(), next.to_json().dump(1));
    if (written.ok()) state_ = std::move(next);
    for (Pending& p : batch) p.done(written);
  }

  EventLoop& loop_;
  std::filesystem::path path_;
  RegistryState state_;
  std::vector<Pending> pending_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<Registry> make_local_registry(EventLoop& loop, std::string dir) {
  return std::make_unique<LocalRegistry>(loop, std::move(dir));
}

}  // namespace cairn::master
