#include "tests/e2e/testing/ha_cluster.hpp"

#include <unistd.h>

#include <fmt/core.h>

#include "tests/e2e/testing/eventually.hpp"

namespace cairn::e2e {

std::string ha_cluster_unavailable() {
  if (::geteuid() != 0) return "needs root (network namespaces)";
  if (Status zk = ZooKeeperEnsemble::available(); !zk.ok()) return zk.error();
  for (const char* binary : {"cairn-master", "cairn-agent", "cairn-executor"}) {
    if (!find_binary(binary).ok()) return std::string(binary) + " is not built";
  }
  return "";
}

Result<std::unique_ptr<HaCluster>> HaCluster::start(Options options) {
  Result<TempDir> dir = TempDir::create("cairn-ha");
  if (!dir.ok()) return Error(dir.error());
  std::unique_ptr<HaCluster> cluster(new HaCluster(std::move(*dir)));
  Result<std::unique_ptr<TestNetwork>> network = TestNetwork::create();
  if (!network.ok()) return Error(network.error());
  cluster->network_ = std::move(*network);

  // ZooKeeper: three servers on three hosts.
  ZooKeeperEnsemble::Options zk_options;
  zk_options.work_dir = cluster->dir_.file("zk");
  std::string servers;
  for (int i = 1; i <= 3; ++i) {
    Result<Host*> host = cluster->network_->add_host("z" + std::to_string(i));
    if (!host.ok()) return Error(host.error());
    zk_options.servers.push_back({(*host)->address(), *host});
    servers += (servers.empty() ? "" : ",") + (*host)->address() + ":2181";
  }
  Result<std::unique_ptr<ZooKeeperEnsemble>> zk = ZooKeeperEnsemble::launch(zk_options);
  if (!zk.ok()) return Error(zk.error());
  cluster->zk_ = std::move(*zk);
  if (Status ready = cluster->zk_->wait_ready(Duration::seconds(60)); !ready.ok()) {
    return Error(ready.error());
  }
  cluster->zk_url_ = "zk://" + servers + "/mesos";

  Result<std::string> master_binary = find_binary("cairn-master");
  Result<std::string> agent_binary = find_binary("cairn-agent");
  if (!master_binary.ok()) return Error(master_binary.error());
  if (!agent_binary.ok()) return Error(agent_binary.error());
  for (int i = 1; i <= 3; ++i) {
    Result<Host*> host = cluster->network_->add_host("m" + std::to_string(i));
    if (!host.ok()) return Error(host.error());
    cluster->master_hosts_.push_back(*host);
    const std::string& ip = (*host)->address();
    DaemonProcess::Options daemon;
    daemon.host = *host;
    daemon.log_path = cluster->dir_.file("m" + std::to_string(i) + ".log");
    daemon.argv = {*master_binary, "--ip=" + ip, "--port=5050", "--hostname=" + ip,
                   "--work_dir=" + cluster->dir_.file("m" + std::to_string(i)),
                   "--zk=" + cluster->zk_url_, "--quorum=2",
                   "--zk_session_timeout=" + options.zk_session_timeout.to_string(),
                   "--agent_ping_timeout=1secs", "--max_agent_ping_timeouts=3",
                   "--allocation_interval=200ms", "--logging_level=INFO"};
    Result<std::unique_ptr<DaemonProcess>> master = DaemonProcess::launch(daemon);
    if (!master.ok()) return Error(master.error());
    cluster->masters_.push_back(std::move(*master));
  }
  for (size_t i = 1; i <= options.agents; ++i) {
    Result<Host*> host = cluster->network_->add_host("a" + std::to_string(i));
    if (!host.ok()) return Error(host.error());
    cluster->agent_hosts_.push_back(*host);
    DaemonProcess::Options daemon;
    daemon.host = *host;
    daemon.log_path = cluster->dir_.file("a" + std::to_string(i) + ".log");
    daemon.argv = {*agent_binary, "--master=" + cluster->zk_url_, "--ip=" + (*host)->address(),
                   "--port=5051", "--hostname=" + (*host)->address(),
                   "--work_dir=" + cluster->dir_.file("a" + std::to_string(i)),
                   "--resources=cpus:2;mem:1024;disk:1024;ports:[31000-31100]",
                   "--zk_session_timeout=" + options.zk_session_timeout.to_string(),
                   "--registration_backoff_factor=100ms", "--logging_level=INFO"};
    Result<std::unique_ptr<DaemonProcess>> agent = DaemonProcess::launch(daemon);
    if (!agent.ok()) return Error(agent.error());
    cluster->agents_.push_back(std::move(*agent));
  }
  cluster->http_ = std::make_unique<master::testing::TestClient>();
  Result<size_t> leader = cluster->wait_for_leader_with_agents(options.agents,
                                                               Duration::seconds(60));
  if (!leader.ok()) return Error(leader.error() + "\n" + cluster->describe());
  return cluster;
}

HaCluster::~HaCluster() {
  // Agents first, then masters; executors go with the network's namespaces.
  agents_.clear();
  masters_.clear();
  http_.reset();
  zk_.reset();
  network_.reset();
}

std::string HaCluster::master_url(size_t i) const {
  return "http://" + master_hosts_[i]->address() + ":5050";
}

std::optional<double> HaCluster::master_metric(size_t i, const std::string& name) {
  if (!masters_[i]->alive()) return std::nullopt;
  http::Response response = http_->get(master_url(i) + "/metrics/snapshot");
  if (response.status != 200) return std::nullopt;
  nlohmann::json metrics = nlohmann::json::parse(response.body, nullptr, false);
  if (!metrics.is_object() || !metrics.contains(name)) return std::nullopt;
  return metrics[name].get<double>();
}

std::optional<size_t> HaCluster::leader() {
  std::optional<size_t> found;
  for (size_t i = 0; i < masters_.size(); ++i) {
    if (master_metric(i, "master/elected") == 1.0) {
      if (found) return std::nullopt;
      found = i;
    }
  }
  return found;
}

Result<size_t> HaCluster::wait_for_leader_with_agents(size_t agents, Duration timeout) {
  std::optional<size_t> found;
  bool ok = eventually(
      [&] {
        found = leader();
        return found && master_metric(*found, "master/slaves_active") == double(agents);
      },
      timeout, Duration::milliseconds(200));
  if (!ok) {
    return Error(fmt::format("no leading master with {} active agents within {}", agents,
                             timeout.to_string()));
  }
  return *found;
}

nlohmann::json HaCluster::leader_state() {
  std::optional<size_t> i = leader();
  if (!i) return {};
  http::Response response = http_->get(master_url(*i) + "/master/state");
  nlohmann::json state = nlohmann::json::parse(response.body, nullptr, false);
  return state.is_discarded() ? nlohmann::json{} : state;
}

std::string HaCluster::describe() {
  std::string out;
  for (size_t i = 0; i < masters_.size(); ++i) {
    out += fmt::format("--- master {} ({}):\n{}\n", i + 1, master_url(i), masters_[i]->log_tail(25));
  }
  for (size_t i = 0; i < agents_.size(); ++i) {
    out += fmt::format("--- agent {}:\n{}\n", i + 1, agents_[i]->log_tail(15));
  }
  return out;
}

// --- SleepFramework ---

nlohmann::json sleep_framework_info() {
  return {{"name", "e2e-sleep"},
          {"user", "root"},
          {"roles", {"*"}},
          {"failover_timeout", 3600},
          {"capabilities",
           {{{"type", "MULTI_ROLE"}}, {{"type", "PARTITION_AWARE"}}}}};
}

void SleepFramework::registered(scheduler::SchedulerDriver&, const std::string& framework_id,
                                const nlohmann::json&) {
  std::lock_guard<std::mutex> lock(mutex_);
  framework_id_ = framework_id;
  ++subscriptions_;
}

void SleepFramework::reregistered(scheduler::SchedulerDriver& driver, const nlohmann::json&) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++subscriptions_;
  }
  driver.reconcile_tasks({});  // what a framework does after a master failover
}

void SleepFramework::disconnected(scheduler::SchedulerDriver&) {}

void SleepFramework::resource_offers(scheduler::SchedulerDriver& driver,
                                     const std::vector<nlohmann::json>& offers) {
  for (const nlohmann::json& offer : offers) {
    const std::string offer_id = offer["id"]["value"];
    const std::string agent_id = offer["agent_id"]["value"];
    std::vector<nlohmann::json> tasks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (launched_ < wanted_ && per_agent_count_[agent_id] < per_agent_) {
        std::string id = fmt::format("sleep-{}", launched_++);
        ++per_agent_count_[agent_id];
        states_[id] = "LAUNCHED";
        tasks.push_back(
            {{"name", id},
             {"task_id", {{"value", id}}},
             {"agent_id", {{"value", agent_id}}},
             {"resources",
              {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.1}}}},
               {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", 32}}}}}},
             {"command", {{"value", "sleep 3600"}}}});
      }
    }
    if (tasks.empty()) {
      driver.decline_offer(offer_id, {{"refuse_seconds", 1}});
    } else {
      driver.launch_tasks({offer_id}, tasks);
    }
  }
}

void SleepFramework::status_update(scheduler::SchedulerDriver&, const nlohmann::json& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string id = status["task_id"]["value"];
  states_[id] = status.value("state", "");
  if (status.contains("agent_id")) agent_of_[id] = status["agent_id"].value("value", "");
}

void SleepFramework::error(scheduler::SchedulerDriver&, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex_);
  errors_ += message + "\n";
}

std::map<std::string, std::string> SleepFramework::states() {
  std::lock_guard<std::mutex> lock(mutex_);
  return states_;
}

size_t SleepFramework::count_in(const std::string& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& [id, s] : states_) n += s == state ? 1 : 0;
  return n;
}

std::map<std::string, std::string> SleepFramework::agents_of_tasks() {
  std::lock_guard<std::mutex> lock(mutex_);
  return agent_of_;
}

size_t SleepFramework::subscriptions() {
  std::lock_guard<std::mutex> lock(mutex_);
  return subscriptions_;
}

std::string SleepFramework::framework_id() {
  std::lock_guard<std::mutex> lock(mutex_);
  return framework_id_;
}

std::string SleepFramework::errors() {
  std::lock_guard<std::mutex> lock(mutex_);
  return errors_;
}

}  // namespace cairn::e2e
