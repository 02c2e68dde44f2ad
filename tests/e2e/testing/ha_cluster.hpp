// HaCluster: a whole HA Cairn cluster of real processes for e2e tests: a
// 3-server ZooKeeper ensemble, 3 masters electing through it and N agents,
// every one on a network-namespace host of its own (10.200.X.0/24, made
// and removed by the test). SleepFramework is a framework on our SDK that
// finds the leader through ZooKeeper, launches `sleep` tasks spread over
// the agents and records every task's latest state.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemons/master/testing/master_harness.hpp"
#include "lib/scheduler/driver.hpp"
#include "tests/e2e/testing/daemon_process.hpp"
#include "tests/e2e/testing/network.hpp"
#include "tests/e2e/testing/temp_dir.hpp"
#include "tests/e2e/testing/zookeeper_ensemble.hpp"

namespace cairn::e2e {

// Empty when the cluster can run here; otherwise why not (tests skip).
std::string ha_cluster_unavailable();

class HaCluster {
 public:
  struct Options {
    size_t agents = 3;
    Duration zk_session_timeout = Duration::seconds(4);
  };
  static Result<std::unique_ptr<HaCluster>> start(Options options);
  ~HaCluster();

  std::string zk_url() const { return zk_url_; }
  std::string master_url(size_t i) const;
  size_t masters() const { return masters_.size(); }
  DaemonProcess& master(size_t i) { return *masters_[i]; }
  DaemonProcess& agent(size_t i) { return *agents_[i]; }
  Host& agent_host(size_t i) { return *agent_hosts_[i]; }
  ZooKeeperEnsemble& zookeeper() { return *zk_; }
  master::testing::TestClient& http() { return *http_; }

  // The one master that reports master/elected 1 (nullopt: none, or more
  // than one, which must never happen).
  std::optional<size_t> leader();
  // Waits for a leader that has `agents` active agents.
  Result<size_t> wait_for_leader_with_agents(size_t agents, Duration timeout);
  // Metric of master i ("master/elected"...), nullopt when unreachable.
  std::optional<double> master_metric(size_t i, const std::string& name);
  nlohmann::json leader_state();  // /master/state of the leader (empty when none)
  // Everything a failure message needs: daemons' log tails.
  std::string describe();
  void keep_files() { dir_.keep(); }

 private:
  HaCluster(TempDir dir) : dir_(std::move(dir)) {}
  TempDir dir_;
  std::unique_ptr<TestNetwork> network_;
  std::unique_ptr<ZooKeeperEnsemble> zk_;
  std::vector<Host*> master_hosts_;
  std::vector<Host*> agent_hosts_;
  std::vector<std::unique_ptr<DaemonProcess>> masters_;
  std::vector<std::unique_ptr<DaemonProcess>> agents_;
  std::unique_ptr<master::testing::TestClient> http_;
  std::string zk_url_;
};

class SleepFramework : public scheduler::Scheduler {
 public:
  // Launches `tasks` tasks, at most `per_agent` on each agent.
  SleepFramework(size_t tasks, size_t per_agent) : wanted_(tasks), per_agent_(per_agent) {}

  void registered(scheduler::SchedulerDriver&, const std::string& framework_id,
                  const nlohmann::json&) override;
  void reregistered(scheduler::SchedulerDriver&, const nlohmann::json&) override;
  void disconnected(scheduler::SchedulerDriver&) override;
  void resource_offers(scheduler::SchedulerDriver& driver,
                       const std::vector<nlohmann::json>& offers) override;
  void offer_rescinded(scheduler::SchedulerDriver&, const std::string&) override {}
  void status_update(scheduler::SchedulerDriver&, const nlohmann::json& status) override;
  void framework_message(scheduler::SchedulerDriver&, const std::string&, const std::string&,
                         const std::string&) override {}
  void agent_lost(scheduler::SchedulerDriver&, const std::string&) override {}
  void executor_lost(scheduler::SchedulerDriver&, const std::string&, const std::string&,
                     int) override {}
  void error(scheduler::SchedulerDriver&, const std::string& message) override;

  // Task id -> latest state ("TASK_RUNNING"...).
  std::map<std::string, std::string> states();
  size_t count_in(const std::string& state);
  std::map<std::string, std::string> agents_of_tasks();
  size_t subscriptions();  // registered + reregistered
  std::string framework_id();
  std::string errors();

 private:
  std::mutex mutex_;
  size_t wanted_;
  size_t per_agent_;
  size_t launched_ = 0;
  size_t subscriptions_ = 0;
  std::string framework_id_;
  std::string errors_;
  std::map<std::string, size_t> per_agent_count_;
  std::map<std::string, std::string> states_;
  std::map<std::string, std::string> agent_of_;
};

// FrameworkInfo of a partition-aware test framework that survives failovers.
nlohmann::json sleep_framework_info();

}  // namespace cairn::e2e
