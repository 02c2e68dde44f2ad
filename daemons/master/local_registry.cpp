#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemons/master/registry.hpp"

namespace cairn::master {

nlohmann::json RegistryState::to_json() const {
  nlohmann::json out{{"agents", nlohmann::json::object()},
                     {"unreachable", nlohmann::json::object()},
                     {"weights", nlohmann::json::object()},
                     {"quotas", nlohmann::json::object()}};
  for (const auto& [id, info] : agents) out["agents"][id] = info;
  for (const auto& [id, time] : unreachable) out["unreachable"][id] = time;
  for (const auto& [role, weight] : weights) out["weights"][role] = weight;
  for (const auto& [role, guarantee] : quotas) out["quotas"][role] = guarantee;
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
  } catch (const nlohmann::json::exception& e) {
    return Error(std::string("registry: ") + e.what());
  }
  return state;
}

namespace {

Status write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Error("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Error("cannot sync " + tmp.string() + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Error("cannot replace " + path.string() + ": " + std::strerror(errno));
  }
  // Make the rename itself durable.
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok_status();
}

class LocalRegistry : public Registry {
 public:
  explicit LocalRegistry(std::string dir) : path_(std::filesystem::path(dir) / "registry.json") {}

  void recover(std::function<void(Result<RegistryState>)> done) override {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec) return done(Error("cannot create " + path_.parent_path().string() + ": " + ec.message()));
    if (!std::filesystem::exists(path_)) return done(state_);
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, false);
    if (json.is_discarded()) return done(Error(path_.string() + " is not valid JSON"));
    Result<RegistryState> state = RegistryState::from_json(json);
    if (!state.ok()) return done(Error(path_.string() + ": " + state.error()));
    state_ = *state;
    done(state_);
  }

  void apply(Mutation mutation, std::function<void(Status)> done) override {
    RegistryState next = state_;
    mutation(next);
    Status written = write_file_atomically(path_, next.to_json().dump(1));
    if (written.ok()) state_ = std::move(next);
    done(written);
  }

 private:
  std::filesystem::path path_;
  RegistryState state_;
};

}  // namespace

std::unique_ptr<Registry> make_local_registry(std::string dir) {
  return std::make_unique<LocalRegistry>(std::move(dir));
}

}  // namespace cairn::master
