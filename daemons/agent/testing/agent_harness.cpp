#include "daemons/agent/testing/agent_harness.hpp"

#include <future>

#include "daemons/agent/resource_detection.hpp"

namespace cairn::agent::testing {

AgentProcess::AgentProcess(AgentProcessOptions o) {
  AgentOptions options;
  options.flags.master = o.master_url;
  options.flags.work_dir = o.work_dir;
  options.flags.isolation = o.isolation;
  options.flags.recover = o.recover;
  options.flags.containerizers = o.containerizers;
  options.flags.docker_socket = o.docker_socket;
  options.flags.executor_registration_timeout = Duration::seconds(30);
  options.flags.executor_shutdown_grace_period = Duration::seconds(1);
  options.flags.registration_backoff_factor = Duration::milliseconds(100);
  options.flags.cgroups_root = "cairn-test-" + std::to_string(::getpid());
  options.flags.quiet = true;
  options.master_url = o.master_url;
  options.advertised_ip = "127.0.0.1";
  options.hostname = "127.0.0.1";
  options.resources = Resources::parse(o.resources).value_or(Resources());
  options.executor_path = o.executor_path;
  options.status_update_retry = Duration::milliseconds(500);
  options.executor_check_interval = Duration::milliseconds(100);
  options.flag_values = {{"work_dir", o.work_dir}};
  loop_.start_thread();
  std::promise<void> started;
  loop_.post([&] {
    agent_ = std::make_unique<Agent>(loop_, options, metrics_);
    http::ServerOptions server_options;
    server_options.address = "127.0.0.1";
    server_options.port = o.port;
    server_ = std::make_unique<http::Server>(loop_, server_options, agent_->routes());
    port_ = server_->start().value_or(0);
    Status st = agent_->start(port_);
    (void)st;
    started.set_value();
  });
  started.get_future().wait();
}

AgentProcess::~AgentProcess() {
  loop_.call([&] {
    agent_->stop();
    server_.reset();
    agent_.reset();
  });
  loop_.stop();
  loop_.join();
}

std::optional<std::string> AgentProcess::agent_id() {
  return loop_.call([&] { return agent_->agent_id(); });
}

bool AgentProcess::registered() {
  return loop_.call([&] { return agent_->registered(); });
}

}  // namespace cairn::agent::testing
