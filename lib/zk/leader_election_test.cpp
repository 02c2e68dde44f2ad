// Leader election and detection against a real ZooKeeper server.
#include "lib/zk/leader_election.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::zk {
namespace {

using testing::await_reply;
using testing::wait_until;

TEST(LeadingNode, LowestJsonInfoSequenceLeads) {
  EXPECT_EQ(leading_node({"json.info_0000000007", "log_replicas", "json.info_0000000003",
                          "info_0000000001", "json.info_0000000010"}),
            "json.info_0000000003");
  EXPECT_EQ(leading_node({"log_replicas"}), std::nullopt);
}

class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = ::testing::TempDir() + "/zk_election_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<testing::ZooKeeperServer>(dir_);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error();
    loop_.start_thread();
  }
  void TearDown() override {
    if (!server_) return;
    loop_.call([this] {
      contenders_.clear();
      detector_.reset();
      return 0;
    });
    loop_.stop();
    loop_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  struct Contender {
    std::unique_ptr<Client> client;
    std::unique_ptr<LeaderContender> contender;
    bool elected = false;
    std::string error;
  };

  // A master-like contender with `name` as its MasterInfo hostname.
  Contender& contend(const std::string& name) {
    return *loop_.call([&] {
      auto c = std::make_unique<Contender>();
      Contender* raw = c.get();
      c->client = std::make_unique<Client>(
          loop_, ClientOptions{server_->connect_string(), Duration::seconds(4), std::nullopt},
          [raw](SessionEvent event) {
            if (event == SessionEvent::kConnected && !raw->contender->node()) raw->contender->start();
          });
      nlohmann::json info{{"hostname", name}, {"address", {{"ip", "10.0.0.1"}, {"port", 5050}}}};
      c->contender = std::make_unique<LeaderContender>(
          *c->client, "/cairn/masters", info.dump(), [raw] { raw->elected = true; },
          [raw](std::string error) { raw->error = error; });
      contenders_.push_back(std::move(c));
      return raw;
    });
  }

  std::string dir_;
  std::unique_ptr<testing::ZooKeeperServer> server_;
  EventLoop loop_;
  std::vector<std::unique_ptr<Contender>> contenders_;  // loop-owned
  std::unique_ptr<LeaderDetector> detector_;
};

TEST_F(LeaderElectionTest, LowestNodeLeadsAndTheNextTakesOverWhenItGoes) {
  std::vector<std::optional<nlohmann::json>> seen;  // loop-owned
  loop_.call([&] {
    detector_ = std::make_unique<LeaderDetector>(
        loop_, *ZkUrl::parse("zk://" + server_->connect_string() + "/cairn/masters"),
        Duration::seconds(4), [&](std::optional<nlohmann::json> info) { seen.push_back(info); });
    return 0;
  });
  Contender& a = contend("a");
  ASSERT_TRUE(wait_until([&] { return loop_.call([&] { return a.elected; }); })) << a.error;
  Contender& b = contend("b");
  Contender& c = contend("c");
  ASSERT_TRUE(wait_until([&] { return loop_.call([&] { return b.contender->node() && c.contender->node(); }); }));
  EXPECT_TRUE(wait_until([&] {
    return loop_.call([&] { return !seen.empty() && seen.back() && (*seen.back())["hostname"] == "a"; });
  }));

  // b and c joined concurrently: the next in line is whichever got the lower number.
  bool b_first = loop_.call([&] { return *b.contender->node() < *c.contender->node(); });
  Contender& next = b_first ? b : c;
  Contender& last = b_first ? c : b;
  const std::string next_name = b_first ? "b" : "c";

  // The leader's session ends: only the next in line is elected.
  loop_.call([&] {
    a.contender.reset();
    a.client.reset();
    return 0;
  });
  EXPECT_TRUE(wait_until([&] { return loop_.call([&] { return next.elected; }); })) << next.error;
  EXPECT_FALSE(loop_.call([&] { return last.elected; }));
  EXPECT_TRUE(wait_until([&] {
    return loop_.call([&] { return seen.back() && (*seen.back())["hostname"] == next_name; });
  }));

  // A third-party detector only needs the path: the lowest json.info_ child.
  Client& reader = *loop_.call([&] { return last.client.get(); });
  auto kids = await_reply<std::vector<std::string>>(
      loop_, [&](auto done) { reader.children("/cairn/masters", nullptr, done); });
  ASSERT_TRUE(kids.ok());
  std::optional<std::string> lowest = leading_node(kids.value);
  ASSERT_TRUE(lowest);
  EXPECT_EQ("/cairn/masters/" + *lowest, loop_.call([&] { return *next.contender->node(); }));
  auto data = await_reply<std::pair<std::string, Stat>>(
      loop_, [&](auto done) { reader.get("/cairn/masters/" + *lowest, nullptr, done); });
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(nlohmann::json::parse(data.value.first)["hostname"], next_name);
  EXPECT_EQ(loop_.call([&] { return last.error; }), "");
}

TEST_F(LeaderElectionTest, DetectorWaitsForThePathAndSurvivesServerRestarts) {
  std::vector<std::optional<nlohmann::json>> seen;
  loop_.call([&] {
    detector_ = std::make_unique<LeaderDetector>(
        loop_, *ZkUrl::parse("zk://" + server_->connect_string() + "/cairn/masters"),
        Duration::seconds(2), [&](std::optional<nlohmann::json> info) { seen.push_back(info); });
    return 0;
  });
  // No path yet: "no leader" is reported, then the leader once one appears.
  ASSERT_TRUE(wait_until([&] { return loop_.call([&] { return !seen.empty(); }); }));
  EXPECT_FALSE(loop_.call([&] { return seen.front(); }));
  Contender& a = contend("a");
  ASSERT_TRUE(wait_until([&] {
    return loop_.call([&] { return seen.back() && (*seen.back())["hostname"] == "a"; });
  })) << loop_.call([&] { return a.error; });

  // The server goes away for longer than the detector's session: it reports
  // no leader, reconnects with a new session, and finds the new leader.
  server_->kill();
  ASSERT_TRUE(wait_until([&] { return loop_.call([&] { return !seen.back(); }); }));
  ASSERT_TRUE(server_->start().ok());
  loop_.call([&] {
    contenders_.clear();
    return 0;
  });
  contend("z");
  EXPECT_TRUE(wait_until([&] {
    return loop_.call([&] { return seen.back() && (*seen.back())["hostname"] == "z"; });
  }, 60));
}

}  // namespace
}  // namespace cairn::zk
