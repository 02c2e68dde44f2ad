// Master detection against a real ZooKeeper server: election nodes are
// created and deleted by hand, as Mesos or Cairn masters would, and the
// detector must report the lowest one's address, follow it, and say when
// there is none; detect_leader_once() must find it or time out.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "lib/detector/master_detector.hpp"
#include "lib/fs/atomic_file.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/leader_election.hpp"
#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::detector {
namespace {

using zk::testing::await_reply;
using zk::testing::wait_until;

nlohmann::json master_info(const std::string& name, int port) {
  return {{"id", name},
          {"ip", 16777343},  // 127.0.0.1
          {"port", port},
          {"pid", "master@127.0.0.1:" + std::to_string(port)},
          {"hostname", name},
          {"version", "test"},
          {"address", {{"hostname", name}, {"ip", "127.0.0.1"}, {"port", port}}}};
}

std::string url_of(int port) {
  return "http://127.0.0.1:" + std::to_string(port);
}

class MasterDetectorZkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = zk::testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = ::testing::TempDir() + "/master_detector_zk_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<zk::testing::ZooKeeperServer>(dir_);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error();
    loop_.start_thread();
  }
  void TearDown() override {
    if (!server_) return;
    loop_.call([this] {
      detector_.reset();
      writer_.reset();
    });
    loop_.stop();
    loop_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string zk_url(const std::string& credentials = "") const {
    return "zk://" + credentials + server_->connect_string() + "/cairn/masters";
  }

  // The session that plays the masters: its nodes are created and deleted
  // by hand (with `credentials`, they are writable only by it).
  void connect_writer(std::optional<std::string> credentials = std::nullopt) {
    loop_.call([&] {
      writer_ = std::make_unique<zk::Client>(
          loop_, zk::ClientOptions{server_->connect_string(), Duration::seconds(10), credentials},
          [](zk::SessionEvent) {});
    });
    ASSERT_TRUE(wait_until([&] { return loop_.call([&] { return writer_->connected(); }); }));
    auto parents = await_reply<zk::Nothing>(
        loop_, [&](auto done) { writer_->create_parents("/cairn/masters", done); });
    ASSERT_TRUE(parents.ok()) << parents.error;
  }

  // A master's election node; returns its full path.
  std::string add_master(const std::string& name, int port) {
    auto created = await_reply<std::string>(loop_, [&](auto done) {
      writer_->create("/cairn/masters/json.info_", master_info(name, port).dump(),
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

  // Starts a detector on `master` that records every report.
  void detect(const std::string& master) {
    loop_.call([&] {
      auto created =
          MasterDetector::create(loop_, master, Duration::seconds(4),
                                 [this](std::optional<std::string> url) { seen_.push_back(url); });
      ASSERT_TRUE(created.ok()) << created.error();
      detector_ = std::move(created).value();
    });
  }

  // The last report, once it equals `expected`.
  bool reports(const std::optional<std::string>& expected) {
    return wait_until(
        [&] { return loop_.call([&] { return !seen_.empty() && seen_.back() == expected; }); });
  }

  std::string dir_;
  std::unique_ptr<zk::testing::ZooKeeperServer> server_;
  EventLoop loop_;
  std::unique_ptr<zk::Client> writer_;            // loop-owned
  std::unique_ptr<MasterDetector> detector_;      // loop-owned
  std::vector<std::optional<std::string>> seen_;  // loop-owned
};

TEST_F(MasterDetectorZkTest, ReportsTheLowestNodeAndFollowsItsSuccessor) {
  connect_writer();
  std::string a = add_master("a", 5051);
  std::string b = add_master("b", 5052);
  // Other children of the path are not contenders.
  ASSERT_TRUE(await_reply<std::string>(loop_, [&](auto done) {
                writer_->create("/cairn/masters/log_replicas", "", zk::CreateMode::kPersistent,
                                done);
              }).ok());
  detect(zk_url());
  ASSERT_TRUE(reports(url_of(5051)));
  EXPECT_TRUE(loop_.call([&] { return detector_->follows_zookeeper(); }));
  EXPECT_EQ(loop_.call([&] { return detector_->source(); }), zk_url());

  remove(a);
  EXPECT_TRUE(reports(url_of(5052)));
  // A newer node does not take over from the leader.
  std::string c = add_master("c", 5053);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(loop_.call([&] { return seen_.back(); }), url_of(5052));

  remove(b);
  EXPECT_TRUE(reports(url_of(5053)));
  remove(c);
  EXPECT_TRUE(reports(std::nullopt));
  EXPECT_EQ(loop_.call([&] { return detector_->leader(); }), std::nullopt);

  // And back: a leader elected after a gap is reported.
  add_master("d", 5054);
  EXPECT_TRUE(reports(url_of(5054)));
  std::vector<std::optional<std::string>> expected{url_of(5051), url_of(5052), url_of(5053),
                                                   std::nullopt, url_of(5054)};
  EXPECT_EQ(loop_.call([&] { return seen_; }), expected);
}

TEST_F(MasterDetectorZkTest, ReportsNoLeaderUntilOneIsElected) {
  detect(zk_url());  // the path does not even exist yet
  ASSERT_TRUE(reports(std::nullopt));
  connect_writer();
  add_master("a", 5051);
  EXPECT_TRUE(reports(url_of(5051)));
}

TEST_F(MasterDetectorZkTest, FileHoldingAZooKeeperUrlWithCredentials) {
  connect_writer(std::string("ops:s3cret"));
  add_master("a", 5051);
  std::string file = dir_ + "/master";
  ASSERT_TRUE(fs::write_file_atomically(file, zk_url("ops:s3cret@") + "\n").ok());
  detect("file://" + file);
  EXPECT_TRUE(reports(url_of(5051)));
  std::string source = loop_.call([&] { return detector_->source(); });
  EXPECT_EQ(source, zk_url());
  EXPECT_EQ(source.find("s3cret"), std::string::npos);

  Result<std::string> once = detect_leader_once("file://" + file, Duration::seconds(10));
  ASSERT_TRUE(once.ok()) << once.error();
  EXPECT_EQ(*once, url_of(5051));
}

TEST_F(MasterDetectorZkTest, DetectLeaderOnceFindsTheLeaderOrTimesOut) {
  connect_writer();
  Result<std::string> none = detect_leader_once(zk_url(), Duration::seconds(1));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no leading master"), std::string::npos) << none.error();
  EXPECT_NE(none.error().find(zk_url()), std::string::npos) << none.error();
  EXPECT_NE(none.error().find("1secs"), std::string::npos) << none.error();

  std::string a = add_master("a", 5051);
  add_master("b", 5052);
  Result<std::string> leader = detect_leader_once(zk_url(), Duration::seconds(10));
  ASSERT_TRUE(leader.ok()) << leader.error();
  EXPECT_EQ(*leader, url_of(5051));
  remove(a);
  leader = detect_leader_once(zk_url(), Duration::seconds(10));
  ASSERT_TRUE(leader.ok()) << leader.error();
  EXPECT_EQ(*leader, url_of(5052));
}

}  // namespace
}  // namespace cairn::detector
