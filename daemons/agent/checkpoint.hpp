// Checkpointer: where the agent keeps what it must know after a restart,
// and where sandboxes live.
//
//   <work_dir>/meta/slaves/latest                  the current agent id
//   <work_dir>/meta/slaves/<agent>/slave.info      AgentInfo (JSON)
//   <work_dir>/meta/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container>/run.json
//       the executor run, its tasks and unacknowledged status updates
//   <work_dir>/slaves/<agent>/frameworks/<fw>/executors/<ex>/runs/<container>/
//       the sandbox (stdout, stderr, fetched files), with a `latest` link
//
// Every file is replaced atomically (lib/fs), so a crash leaves either the
// old or the new checkpoint, never half of one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemons/agent/model.hpp"
#include "lib/base/result.hpp"

namespace cairn::agent {

struct RecoveredAgent {
  std::string agent_id;
  nlohmann::json info;
};

struct RecoveredRun {
  ExecutorRun run;
  std::vector<PendingUpdate> updates;
};

class Checkpointer {
 public:
  explicit Checkpointer(std::string work_dir) : work_dir_(std::move(work_dir)) {}

  Result<std::optional<RecoveredAgent>> recover_agent() const;
  Status save_agent(const std::string& agent_id, const nlohmann::json& info) const;

  Status save_run(const std::string& agent_id, const ExecutorRun& run,
                  const std::vector<PendingUpdate>& updates) const;
  Status remove_run(const std::string& agent_id, const ExecutorRun& run) const;
  // Every checkpointed run of the agent; the error names a file that could
  // not be read (the caller decides with --strict whether that is fatal).
  Result<std::vector<RecoveredRun>> recover_runs(const std::string& agent_id) const;

  std::string sandbox_dir(const std::string& agent_id, const std::string& framework_id,
                          const std::string& executor_id, const std::string& container_id) const;
  // <work_dir>/slaves/<agent>: the only tree /files may serve.
  std::string sandboxes_root(const std::string& agent_id) const;

 private:
  std::string meta_dir(const std::string& agent_id) const;
  std::string run_meta_dir(const std::string& agent_id, const ExecutorRun& run) const;
  std::string work_dir_;
};

}  // namespace cairn::agent
