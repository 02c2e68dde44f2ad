#include "daemons/agent/checkpoint.hpp"

#include <unistd.h>

#include <filesystem>

#include "lib/fs/atomic_file.hpp"
#include "lib/logging/log.hpp"

namespace cairn::agent {

namespace {

// Ids become path components: refuse anything that could climb out.
std::string safe(const std::string& id) {
  std::string out;
  for (char c : id) out += (c == '/' || c == '\0') ? '_' : c;
  if (out == "." || out == "..") out = "_" + out;
  return out;
}

}  // namespace

std::string Checkpointer::meta_dir(const std::string& agent_id) const {
  return work_dir_ + "/meta/slaves/" + safe(agent_id);
}

std::string Checkpointer::run_meta_dir(const std::string& agent_id, const ExecutorRun& run) const {
  return meta_dir(agent_id) + "/frameworks/" + safe(run.framework_id) + "/executors/" +
         safe(run.executor_id) + "/runs/" + safe(run.container_id);
}

std::string Checkpointer::sandboxes_root(const std::string& agent_id) const {
  return work_dir_ + "/slaves/" + safe(agent_id);
}

std::string Checkpointer::sandbox_dir(const std::string& agent_id, const std::string& framework_id,
                                      const std::string& executor_id,
                                      const std::string& container_id) const {
  return sandboxes_root(agent_id) + "/frameworks/" + safe(framework_id) + "/executors/" +
         safe(executor_id) + "/runs/" + safe(container_id);
}

Result<std::optional<RecoveredAgent>> Checkpointer::recover_agent() const {
  std::string latest = work_dir_ + "/meta/slaves/latest";
  if (!std::filesystem::exists(latest)) return std::optional<RecoveredAgent>();
  Result<std::string> id = fs::read_file(latest);
  if (!id.ok()) return Error(id.error());
  Result<std::string> info = fs::read_file(meta_dir(*id) + "/slave.info");
  if (!info.ok()) return Error(info.error());
  nlohmann::json json = nlohmann::json::parse(*info, nullptr, false);
  if (json.is_discarded()) return Error(meta_dir(*id) + "/slave.info is not valid JSON");
  return std::optional<RecoveredAgent>(RecoveredAgent{*id, json});
}

Status Checkpointer::save_agent(const std::string& agent_id, const nlohmann::json& info) const {
  Status made = fs::create_directories(meta_dir(agent_id));
  if (!made.ok()) return made;
  Status st = fs::write_file_atomically(meta_dir(agent_id) + "/slave.info", info.dump());
  if (!st.ok()) return st;
  return fs::write_file_atomically(work_dir_ + "/meta/slaves/latest", agent_id);
}

Checkpointer::Checkpointer(std::string work_dir) : work_dir_(std::move(work_dir)) {
  writer_ = std::thread([this] { write_loop(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

void Checkpointer::flush() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queued_.empty() && writing_ == 0; });
}

void Checkpointer::write_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
    if (queued_.empty()) return;  // stopping with nothing left
    auto next = queued_.begin();
    std::string path = next->first, content = std::move(next->second);
    queued_.erase(next);
    ++writing_;
    lock.unlock();
    Status made = fs::create_directories(std::filesystem::path(path).parent_path().string());
    Status written = made.ok() ? fs::write_file_atomically(path, content) : made;
    if (!written.ok()) log::error("Cannot checkpoint: {}", written.error());
    lock.lock();
    --writing_;
    changed_.notify_all();
  }
}

void Checkpointer::save_run(const std::string& agent_id, const ExecutorRun& run,
                            const std::vector<PendingUpdate>& updates) {
  nlohmann::json json = run.to_json();
  nlohmann::json pending = nlohmann::json::array();
  for (const PendingUpdate& u : updates) {
    pending.push_back({{"framework_id", u.framework_id},
                       {"status", u.status.to_json()},
                       {"from_executor", u.from_executor}});
  }
  json["pending_updates"] = pending;
  std::string path = run_meta_dir(agent_id, run) + "/run.json";
  {
    std::lock_guard lock(mutex_);
    queued_[path] = json.dump();
  }
  changed_.notify_all();
}

Status Checkpointer::remove_run(const std::string& agent_id, const ExecutorRun& run) const {
  std::error_code ec;
  std::filesystem::remove_all(run_meta_dir(agent_id, run), ec);
  if (ec) return Error("cannot remove the checkpoint of " + run.executor_id + ": " + ec.message());
  return ok_status();
}

Result<std::vector<RecoveredRun>> Checkpointer::recover_runs(const std::string& agent_id) const {
  std::vector<RecoveredRun> out;
  std::string root = meta_dir(agent_id) + "/frameworks";
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return out;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() != "run.json") continue;
    Result<std::string> text = fs::read_file(it->path().string());
    if (!text.ok()) return Error(text.error());
    nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return Error(it->path().string() + " is not a valid checkpoint");
    }
    try {
      RecoveredRun recovered{ExecutorRun::from_json(json), {}};
      for (const auto& u : json.value("pending_updates", nlohmann::json::array())) {
        Result<mesos::TaskStatus> status = mesos::TaskStatus::from_json(u.at("status"), "status");
        if (!status.ok()) return Error(it->path().string() + ": " + status.error());
        recovered.updates.push_back(
            {u.at("framework_id").get<std::string>(), *status, u.value("from_executor", true)});
      }
      out.push_back(std::move(recovered));
    } catch (const nlohmann::json::exception& e) {
      return Error(it->path().string() + ": " + e.what());
    }
  }
  if (ec) return Error("cannot read " + root + ": " + ec.message());
  return out;
}

}  // namespace cairn::agent
