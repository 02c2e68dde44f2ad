// In-process test harness for the agent: an Agent and its HTTP server on
// their own EventLoop and a fixed or ephemeral port, with fast timeouts.
// Its executors are real cairn-executor processes. Restarting an
// AgentProcess on the same work_dir and port is an agent restart: the
// executors it launched keep running and reconnect.
#pragma once

#include <memory>
#include <string>

#include "daemons/agent/agent.hpp"
#include "lib/http/server.hpp"

namespace cairn::agent::testing {

struct AgentProcessOptions {
  std::string master_url;
  std::string work_dir;
  std::string executor_path;
  std::string resources = "cpus:2;mem:1024;disk:1024;ports:[31000-31100]";
  std::string isolation = "posix/cpu,posix/mem";
  std::string recover = "reconnect";
  std::string containerizers = "mesos";
  std::string docker_socket = "/var/run/docker.sock";
  uint16_t port = 0;  // 0: ephemeral (keep it for a restart)
};

class AgentProcess {
 public:
  explicit AgentProcess(AgentProcessOptions options);
  ~AgentProcess();  // stops the agent; executors keep running

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  std::optional<std::string> agent_id();
  bool registered();

 private:
  EventLoop loop_;
  metrics::Registry metrics_;
  std::unique_ptr<Agent> agent_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

}  // namespace cairn::agent::testing
