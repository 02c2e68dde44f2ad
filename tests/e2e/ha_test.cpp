// High availability, end to end: a real 3-server ZooKeeper ensemble, three
// masters and three agents, each on a network-namespace host, and a
// framework on our SDK that finds the leader through ZooKeeper. Masters and
// ZooKeeper servers die and come back; no task may be lost.
#include <gtest/gtest.h>

#include <signal.h>

#include <future>

#include "lib/zk/client.hpp"
#include "lib/zk/leader_election.hpp"
#include "tests/e2e/testing/eventually.hpp"
#include "tests/e2e/testing/ha_cluster.hpp"

namespace cairn::e2e {
namespace {

constexpr size_t kTasks = 6;

class HaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ha_cluster_unavailable(); !why.empty()) GTEST_SKIP() << why;
    Result<std::unique_ptr<HaCluster>> cluster = HaCluster::start({});
    ASSERT_TRUE(cluster.ok()) << cluster.error();
    cluster_ = std::move(*cluster);
  }
  void TearDown() override {
    if (driver_) {
      driver_->stop(true);  // failover: leave the tasks to the teardown of the hosts
      driver_->join();
      driver_.reset();
    }
    if (cluster_ && HasFailure()) {
      cluster_->keep_files();
      std::cerr << cluster_->describe();
    }
    cluster_.reset();
  }

  // Starts the framework and waits until its tasks run.
  void run_tasks() {
    framework_ = std::make_unique<SleepFramework>(kTasks, 2);
    scheduler::DriverOptions options;
    options.master = cluster_->zk_url();
    options.initial_backoff = Duration::milliseconds(200);
    options.max_backoff = Duration::seconds(2);
    driver_ = std::make_unique<scheduler::SchedulerDriver>(*framework_, sleep_framework_info(),
                                                          options);
    ASSERT_EQ(driver_->start(), scheduler::DriverStatus::kRunning);
    ASSERT_TRUE(eventually([&] { return framework_->count_in("TASK_RUNNING") == kTasks; },
                           Duration::seconds(60)))
        << "running: " << framework_->count_in("TASK_RUNNING") << "\n"
        << cluster_->describe();
  }

  // After a disruption: a leader with every agent, the framework subscribed
  // again, every task RUNNING in the framework's eyes and the leader's.
  void expect_everything_recovered(size_t subscriptions_before) {
    Result<size_t> leader = cluster_->wait_for_leader_with_agents(3, Duration::seconds(90));
    ASSERT_TRUE(leader.ok()) << leader.error();
    EXPECT_TRUE(eventually([&] { return framework_->subscriptions() > subscriptions_before; },
                           Duration::seconds(60)))
        << "the framework did not re-subscribe";
    // The framework reconciles on re-subscription; every answer is RUNNING.
    EXPECT_TRUE(eventually([&] { return framework_->count_in("TASK_RUNNING") == kTasks; },
                           Duration::seconds(60)))
        << "running: " << framework_->count_in("TASK_RUNNING");
    EXPECT_TRUE(eventually(
        [&] {
          nlohmann::json state = cluster_->leader_state();
          size_t running = 0;
          for (const auto& framework : state.value("frameworks", nlohmann::json::array())) {
            for (const auto& task : framework.value("tasks", nlohmann::json::array())) {
              running += task.value("state", "") == "TASK_RUNNING" ? 1 : 0;
            }
          }
          return running == kTasks;
        },
        Duration::seconds(60)))
        << "the leader does not show every task running";
    EXPECT_EQ(framework_->errors(), "");
  }

  std::unique_ptr<HaCluster> cluster_;
  std::unique_ptr<SleepFramework> framework_;
  std::unique_ptr<scheduler::SchedulerDriver> driver_;
};

TEST_F(HaTest, ThirdPartyDetectorFindsTheLeaderFromTheLowestJsonInfoNode) {
  std::optional<size_t> leader = cluster_->leader();
  ASSERT_TRUE(leader);
  // A client that knows only the ZooKeeper URL, as mesos-dns or Marathon do.
  EventLoop loop;
  loop.start_thread();
  Result<zk::ZkUrl> url = zk::ZkUrl::parse(cluster_->zk_url());
  ASSERT_TRUE(url.ok());
  std::promise<std::string> found;
  auto client = loop.call([&] {
    auto c = std::make_unique<zk::Client>(
        loop, zk::ClientOptions{url->servers, Duration::seconds(4), std::nullopt},
        [](zk::SessionEvent) {});
    return c;
  });
  ASSERT_TRUE(eventually([&] { return loop.call([&] { return client->connected(); }); },
                         Duration::seconds(20)));
  loop.post([&] {
    client->children(url->path, nullptr, [&](zk::Reply<std::vector<std::string>> children) {
      std::optional<std::string> lowest = zk::leading_node(children.value);
      if (!lowest) return found.set_value("");
      client->get(url->path + "/" + *lowest, nullptr,
                  [&](zk::Reply<std::pair<std::string, zk::Stat>> data) {
                    found.set_value(data.value.first);
                  });
    });
  });
  nlohmann::json info = nlohmann::json::parse(found.get_future().get(), nullptr, false);
  loop.call([&] {
    client.reset();
    return 0;
  });
  loop.stop();
  loop.join();
  ASSERT_TRUE(info.is_object());
  const std::string address = "http://" + info["address"]["ip"].get<std::string>() + ":" +
                              std::to_string(info["address"]["port"].get<int>());
  EXPECT_EQ(address, cluster_->master_url(*leader));
  EXPECT_TRUE(info.contains("id") && info.contains("hostname") && info.contains("version"));
  // Mesos' uint32 ip: the network-order bytes of the address.
  EXPECT_TRUE(info["ip"].is_number_unsigned());
}

TEST_F(HaTest, KillingTheLeaderLosesNoTask) {
  run_tasks();
  size_t before = framework_->subscriptions();
  std::optional<size_t> leader = cluster_->leader();
  ASSERT_TRUE(leader);
  ASSERT_TRUE(cluster_->master(*leader).kill(SIGKILL).ok());
  expect_everything_recovered(before);
  std::optional<size_t> next = cluster_->leader();
  ASSERT_TRUE(next);
  EXPECT_NE(*next, *leader);
  // Standbys send clients to the new leader.
  size_t standby = (*next + 1) % 3 == *leader ? (*next + 2) % 3 : (*next + 1) % 3;
  http::Response redirect = cluster_->http().get(cluster_->master_url(standby) + "/master/redirect");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ("http:" + std::string(redirect.headers.get("Location").value_or("")),
            cluster_->master_url(*next));
  EXPECT_EQ(cluster_->master_metric(standby, "master/elected"), 0.0);
}

TEST_F(HaTest, RollingRestartOfEveryMasterKeepsTasks) {
  run_tasks();
  for (size_t i = 0; i < cluster_->masters(); ++i) {
    size_t before = framework_->subscriptions();
    bool was_leader = cluster_->leader() == i;
    ASSERT_TRUE(cluster_->master(i).restart().ok());  // SIGKILL, then the same command
    if (was_leader) {
      expect_everything_recovered(before);
    } else {
      ASSERT_TRUE(cluster_->wait_for_leader_with_agents(3, Duration::seconds(60)).ok());
    }
    // The restarted master is back as a standby before the next one goes.
    ASSERT_TRUE(eventually([&] { return cluster_->master_metric(i, "master/elected").has_value(); },
                           Duration::seconds(30)));
  }
  expect_everything_recovered(0);
}

TEST_F(HaTest, ZooKeeperLosingOneServerChangesNothingAndLosingQuorumLosesNothing) {
  run_tasks();
  std::optional<size_t> leader = cluster_->leader();
  ASSERT_TRUE(leader);
  ZooKeeperEnsemble& zk = cluster_->zookeeper();
  // One server of three: the ensemble still has a quorum.
  size_t first = zk.leader().value_or(0);
  ASSERT_TRUE(zk.kill(first).ok());
  ASSERT_TRUE(cluster_->wait_for_leader_with_agents(3, Duration::seconds(30)).ok());
  EXPECT_EQ(cluster_->leader(), leader) << "losing one ZooKeeper server moved leadership";

  // A second server: no quorum. Masters stop leading within their session
  // timeout; tasks keep running on the agents.
  size_t second = (first + 1) % 3;
  ASSERT_TRUE(zk.kill(second).ok());
  EXPECT_TRUE(eventually(
      [&] {
        for (size_t i = 0; i < 3; ++i) {
          if (cluster_->master_metric(i, "master/elected") == 1.0) return false;
        }
        return true;
      },
      Duration::seconds(60)))
      << "a master kept leading without a ZooKeeper quorum\n"
      << cluster_->describe();
  size_t before = framework_->subscriptions();
  ASSERT_TRUE(zk.start(first).ok());
  ASSERT_TRUE(zk.start(second).ok());
  expect_everything_recovered(before);
}

TEST_F(HaTest, PartitionedAgentsTasksBecomeUnreachableThenRunAgain) {
  run_tasks();
  std::optional<size_t> leader = cluster_->leader();
  ASSERT_TRUE(leader);
  std::map<std::string, std::string> agents = framework_->agents_of_tasks();
  // The agent id of host a1, from the leader's view.
  nlohmann::json state = cluster_->leader_state();
  std::string partitioned_id;
  for (const auto& agent : state["slaves"]) {
    if (agent.value("hostname", "") == cluster_->agent_host(0).address()) partitioned_id = agent["id"];
  }
  ASSERT_FALSE(partitioned_id.empty());
  size_t on_agent = 0;
  for (const auto& [task, agent] : agents) on_agent += agent == partitioned_id ? 1 : 0;
  ASSERT_GT(on_agent, 0u);

  ASSERT_TRUE(cluster_->agent_host(0).partition().ok());
  EXPECT_TRUE(eventually([&] { return framework_->count_in("TASK_UNREACHABLE") == on_agent; },
                         Duration::seconds(60)))
      << "unreachable: " << framework_->count_in("TASK_UNREACHABLE");
  EXPECT_EQ(framework_->count_in("TASK_RUNNING"), kTasks - on_agent);

  ASSERT_TRUE(cluster_->agent_host(0).heal().ok());
  ASSERT_TRUE(cluster_->wait_for_leader_with_agents(3, Duration::seconds(60)).ok());
  driver_->reconcile_tasks({});
  EXPECT_TRUE(eventually([&] { return framework_->count_in("TASK_RUNNING") == kTasks; },
                         Duration::seconds(60)))
      << "running after the partition healed: " << framework_->count_in("TASK_RUNNING");
}

}  // namespace
}  // namespace cairn::e2e
