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
// old or the new checkpoint, never half of one. Run checkpoints are written
// by a thread of their own, newest content per file only: two fsyncs per
// write must not stall the agent's loop (a launch burst rewrites each run
// several times). A status update can thus reach the master a moment before
// its checkpoint is on disk; the executor keeps every update until it is
// acknowledged and re-sends it after an agent restart, so none is lost. The
// launch of an executor is waited for (Agent::checkpoint(run, true)): its
// pid is what lets a restarted agent find it.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
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
  explicit Checkpointer(std::string work_dir);
  ~Checkpointer();  // writes what is queued, then stops the writer
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Waits until every queued run checkpoint is on disk.
  void flush();

  Result<std::optional<RecoveredAgent>> recover_agent() const;
  Status save_agent(const std::string& agent_id, const nlohmann::json& info) const;

  // Queues the run's checkpoint for the writer thread.
  void save_run(const std::string& agent_id, const ExecutorRun& run,
                const std::vector<PendingUpdate>& updates);
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
  void write_loop();

  std::string work_dir_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::string> queued_;  // path → newest content
  size_t writing_ = 0;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace cairn::agent
