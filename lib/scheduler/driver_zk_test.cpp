// The driver with a zk:// master: two fake masters whose election nodes are
// written by hand in a real ZooKeeper server. The driver subscribes to the
// one whose node is lowest, fails over to the other (same framework id)
// when that node goes, and waits while there is no leader.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "lib/fs/atomic_file.hpp"
#include "lib/scheduler/driver.hpp"
#include "lib/scheduler/testing/fake_master.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/leader_election.hpp"
#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::scheduler {
namespace {

using nlohmann::json;
using testing::FakeMaster;
using zk::testing::await_reply;
using zk::testing::wait_until;

// Counts the callbacks the failover path goes through.
class Counter : public Scheduler {
 public:
  int registrations() { return read(registered_); }
  int reregistrations() { return read(reregistered_); }
  int disconnections() { return read(disconnected_); }
  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

  void registered(SchedulerDriver&, const std::string&, const json&) override { bump(registered_); }
  void reregistered(SchedulerDriver&, const json&) override { bump(reregistered_); }
  void disconnected(SchedulerDriver&) override { bump(disconnected_); }
  void resource_offers(SchedulerDriver&, const std::vector<json>&) override {}
  void offer_rescinded(SchedulerDriver&, const std::string&) override {}
  void status_update(SchedulerDriver&, const json&) override {}
  void framework_message(SchedulerDriver&, const std::string&, const std::string&,
                         const std::string&) override {}
  void agent_lost(SchedulerDriver&, const std::string&) override {}
  void executor_lost(SchedulerDriver&, const std::string&, const std::string&, int) override {}
  void error(SchedulerDriver&, const std::string& message) override {
    std::lock_guard lock(mutex_);
    errors_.push_back(message);
  }

 private:
  int read(const int& field) {
    std::lock_guard lock(mutex_);
    return field;
  }
  void bump(int& field) {
    std::lock_guard lock(mutex_);
    ++field;
  }
  std::mutex mutex_;
  int registered_ = 0, reregistered_ = 0, disconnected_ = 0;
  std::vector<std::string> errors_;
};

json master_info(const FakeMaster& master) {
  return {{"id", "fake-" + std::to_string(master.port())},
          {"ip", 16777343},  // 127.0.0.1
          {"port", master.port()},
          {"pid", "master@" + master.address()},
          {"hostname", "localhost"},
          {"address", {{"hostname", "localhost"}, {"ip", "127.0.0.1"}, {"port", master.port()}}}};
}

class DriverZkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = zk::testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = ::testing::TempDir() + "/driver_zk_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<zk::testing::ZooKeeperServer>(dir_);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error();
    loop_.start_thread();
    loop_.call([&] {
      writer_ = std::make_unique<zk::Client>(
          loop_, zk::ClientOptions{server_->connect_string(), Duration::seconds(10), std::nullopt},
          [](zk::SessionEvent) {});
    });
    ASSERT_TRUE(wait_until([&] { return loop_.call([&] { return writer_->connected(); }); }));
    auto parents = await_reply<zk::Nothing>(
        loop_, [&](auto done) { writer_->create_parents("/cairn/masters", done); });
    ASSERT_TRUE(parents.ok()) << parents.error;
  }
  void TearDown() override {
    if (!server_) return;
    loop_.call([&] { writer_.reset(); });
    loop_.stop();
    loop_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string add(const FakeMaster& master) {
    auto created = await_reply<std::string>(loop_, [&](auto done) {
      writer_->create(std::string("/cairn/masters/") + zk::kLeaderLabel, master_info(master).dump(),
                      zk::CreateMode::kEphemeralSequential, done);
    });
    EXPECT_TRUE(created.ok()) << created.error;
    return created.value;
  }
  void remove(const std::string& node) {
    auto removed =
        await_reply<zk::Nothing>(loop_, [&](auto done) { writer_->remove(node, -1, done); });
    EXPECT_TRUE(removed.ok()) << removed.error;
  }

  DriverOptions options(const std::string& master) const {
    DriverOptions o;
    o.master = master;
    o.initial_backoff = Duration::milliseconds(20);
    o.max_backoff = Duration::milliseconds(200);
    o.zk_session_timeout = Duration::seconds(4);
    return o;
  }

  std::string zk_url() const { return "zk://" + server_->connect_string() + "/cairn/masters"; }

  std::string dir_;
  std::unique_ptr<zk::testing::ZooKeeperServer> server_;
  EventLoop loop_;
  std::unique_ptr<zk::Client> writer_;  // loop-owned
};

std::string subscribed_framework_id(const testing::ReceivedCall& call) {
  const json& info = call.body["subscribe"]["framework_info"];
  return info.contains("id") ? info["id"].value("value", "") : "";
}

TEST_F(DriverZkTest, SubscribesToTheLeaderAndFailsOverWithIt) {
  FakeMaster a("fw-zk"), b("fw-zk");
  ASSERT_TRUE(a.ok() && b.ok());
  std::string node_a = add(a);
  std::string node_b = add(b);

  Counter scheduler;
  SchedulerDriver driver(scheduler,
                         {{"user", "root"}, {"name", "zk-test"}, {"failover_timeout", 60}},
                         options(zk_url()));
  ASSERT_EQ(driver.start(), DriverStatus::kRunning);
  ASSERT_TRUE(wait_until([&] { return scheduler.registrations() == 1; }))
      << ::testing::PrintToString(scheduler.errors());
  EXPECT_EQ(a.subscriptions(), 1);
  EXPECT_EQ(b.subscriptions(), 0);
  driver.revive_offers();
  EXPECT_TRUE(wait_until([&] { return a.calls_of("REVIVE").size() == 1; }));

  // A's node goes: the driver leaves A and fails over to B with its id.
  remove(node_a);
  ASSERT_TRUE(wait_until([&] { return scheduler.reregistrations() == 1; }));
  EXPECT_EQ(scheduler.disconnections(), 1);
  EXPECT_EQ(b.subscriptions(), 1);
  ASSERT_EQ(b.calls_of("SUBSCRIBE").size(), 1u);
  EXPECT_EQ(subscribed_framework_id(b.calls_of("SUBSCRIBE")[0]), "fw-zk");
  EXPECT_TRUE(wait_until([&] { return !a.streaming(); }));
  driver.revive_offers();
  EXPECT_TRUE(wait_until([&] { return b.calls_of("REVIVE").size() == 1; }));
  EXPECT_EQ(a.calls_of("REVIVE").size(), 1u);

  // No leader: the driver disconnects and waits, without hammering anyone.
  remove(node_b);
  ASSERT_TRUE(wait_until([&] { return scheduler.disconnections() == 2; }));
  EXPECT_TRUE(wait_until([&] { return !b.streaming(); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(a.subscriptions(), 1);
  EXPECT_EQ(b.subscriptions(), 1);

  // A is elected again.
  add(a);
  EXPECT_TRUE(wait_until([&] { return scheduler.reregistrations() == 2; }));
  EXPECT_EQ(a.subscriptions(), 2);
  EXPECT_EQ(subscribed_framework_id(a.calls_of("SUBSCRIBE").back()), "fw-zk");
  EXPECT_TRUE(scheduler.errors().empty()) << ::testing::PrintToString(scheduler.errors());
  EXPECT_EQ(driver.stop(true), DriverStatus::kStopped);
  EXPECT_EQ(driver.join(), DriverStatus::kStopped);
}

TEST_F(DriverZkTest, MasterFromAFile) {
  FakeMaster a("fw-file");
  ASSERT_TRUE(a.ok());
  add(a);
  std::string file = dir_ + "/master";
  ASSERT_TRUE(fs::write_file_atomically(file, zk_url() + "\n").ok());
  Counter scheduler;
  SchedulerDriver driver(scheduler, {{"user", "root"}, {"name", "zk-file"}},
                         options("file://" + file));
  ASSERT_EQ(driver.start(), DriverStatus::kRunning);
  EXPECT_TRUE(wait_until([&] { return scheduler.registrations() == 1; }))
      << ::testing::PrintToString(scheduler.errors());
  EXPECT_EQ(driver.stop(true), DriverStatus::kStopped);
  driver.join();

  // A file holding a fixed master works too.
  FakeMaster fixed("fw-fixed");
  ASSERT_TRUE(fixed.ok());
  ASSERT_TRUE(fs::write_file_atomically(file, fixed.address() + "\n").ok());
  Counter other;
  SchedulerDriver direct(other, {{"user", "root"}, {"name", "fixed-file"}},
                         options("file://" + file));
  ASSERT_EQ(direct.start(), DriverStatus::kRunning);
  EXPECT_TRUE(wait_until([&] { return other.registrations() == 1; }))
      << ::testing::PrintToString(other.errors());
  EXPECT_EQ(fixed.subscriptions(), 1);
  direct.stop(true);
  direct.join();
}

}  // namespace
}  // namespace cairn::scheduler
