// The scheduler SDK (lib/scheduler) against the real master: a framework
// written with the callback interface subscribes, launches tasks on
// simulated agents, gets and (implicitly) acknowledges updates, fails over
// to a new driver instance with its framework id, and is torn down.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>

#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"
#include "lib/scheduler/driver.hpp"

namespace cairn::master {
namespace {

using testing::eventually;

// Launches one 0.5-cpu task per offer until `wanted` tasks are launched.
class CountingScheduler : public scheduler::Scheduler {
 public:
  explicit CountingScheduler(int wanted) : wanted_(wanted) {}

  void registered(scheduler::SchedulerDriver&, const std::string& framework_id,
                  const nlohmann::json&) override {
    std::lock_guard lock(mutex_);
    framework_id_ = framework_id;
    registrations_++;
  }
  void reregistered(scheduler::SchedulerDriver&, const nlohmann::json&) override { registrations_++; }
  void disconnected(scheduler::SchedulerDriver&) override {}
  void resource_offers(scheduler::SchedulerDriver& driver, const std::vector<nlohmann::json>& offers) override {
    for (const auto& offer : offers) {
      std::string offer_id = offer["id"]["value"];
      if (launched_ >= wanted_) {
        driver.decline_offer(offer_id, {{"refuse_seconds", 1}});
        continue;
      }
      std::string id = "task-" + std::to_string(launched_++);
      nlohmann::json task{
          {"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", offer["agent_id"]},
          {"resources", {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.5}}}}}},
          {"command", {{"value", "sleep 100"}}}};
      driver.launch_tasks({offer_id}, {task}, {{"refuse_seconds", 0}});
    }
  }
  void offer_rescinded(scheduler::SchedulerDriver&, const std::string&) override {}
  void status_update(scheduler::SchedulerDriver&, const nlohmann::json& status) override {
    std::lock_guard lock(mutex_);
    states_[status["task_id"]["value"]] = status["state"];
  }
  void framework_message(scheduler::SchedulerDriver&, const std::string&, const std::string&,
                         const std::string&) override {}
  void agent_lost(scheduler::SchedulerDriver&, const std::string&) override {}
  void executor_lost(scheduler::SchedulerDriver&, const std::string&, const std::string&, int) override {}
  void error(scheduler::SchedulerDriver&, const std::string& message) override {
    std::lock_guard lock(mutex_);
    errors_.push_back(message);
  }

  std::string framework_id() {
    std::lock_guard lock(mutex_);
    return framework_id_;
  }
  int running() {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [id, state] : states_) n += state == "TASK_RUNNING" ? 1 : 0;
    return n;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  std::atomic<int> registrations_{0};

 private:
  int wanted_;
  std::atomic<int> launched_{0};
  std::mutex mutex_;
  std::string framework_id_;
  std::map<std::string, std::string> states_;
  std::vector<std::string> errors_;
};

TEST(MasterSdkTest, FrameworkLifecycleThroughTheSdk) {
  auto dir = std::filesystem::temp_directory_path() / ("cairn-master-sdk-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto master = std::make_unique<testing::MasterProcess>(testing::test_master_flags(dir));
  testing::TestClient client;
  std::vector<std::unique_ptr<testing::SimulatedAgent>> agents;
  for (int i = 0; i < 3; ++i) {
    testing::SimulatedAgentOptions options;
    options.master = master->url();
    options.resources = "cpus:2;mem:2048";
    options.hostname = "sdk-agent" + std::to_string(i);
    agents.push_back(std::make_unique<testing::SimulatedAgent>(client.loop(), options));
    client.loop().call([&] { agents.back()->start(); });
  }
  ASSERT_TRUE(eventually([&] {
    for (auto& a : agents) {
      if (!a->registered()) return false;
    }
    return true;
  }));
  auto acknowledged = [&] {
    size_t n = 0;
    for (auto& a : agents) n += a->acknowledgements();
    return n;
  };

  nlohmann::json info{{"user", "root"}, {"name", "sdk"}, {"failover_timeout", 60}};
  CountingScheduler first(6);
  std::string framework_id;
  {
    scheduler::SchedulerDriver driver(first, info, {.master = master->url()});
    EXPECT_EQ(driver.start(), scheduler::DriverStatus::kRunning);
    ASSERT_TRUE(eventually([&] { return first.running() == 6; })) << first.running();
    // Implicit acknowledgements reach the agents through the master.
    EXPECT_TRUE(eventually([&] { return acknowledged() == 6; })) << acknowledged();
    framework_id = first.framework_id();
    ASSERT_FALSE(framework_id.empty());
    driver.stop(/*failover=*/true);  // the framework process goes away, tasks stay
    driver.join();
  }
  nlohmann::json state = nlohmann::json::parse(client.get(master->url() + "/master/state").body);
  ASSERT_EQ(state["frameworks"].size(), 1u);
  EXPECT_EQ(state["frameworks"][0]["tasks"].size(), 6u);

  // A new instance takes over within failover_timeout with the same id.
  info["id"] = {{"value", framework_id}};
  CountingScheduler second(0);
  scheduler::SchedulerDriver driver(second, info, {.master = master->url()});
  driver.start();
  ASSERT_TRUE(eventually([&] { return second.framework_id() == framework_id; }));
  driver.reconcile_tasks({});
  EXPECT_TRUE(eventually([&] { return second.running() == 6; }));
  EXPECT_TRUE(second.errors().empty());

  // Teardown: the framework and its tasks are completed.
  driver.stop(/*failover=*/false);
  driver.join();
  EXPECT_TRUE(eventually([&] {
    nlohmann::json s = nlohmann::json::parse(client.get(master->url() + "/master/state").body);
    return s["frameworks"].empty() && s["completed_frameworks"].size() == 1;
  }));
  agents.clear();
  master.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn::master
