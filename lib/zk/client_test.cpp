// zk::Client against a real ZooKeeper server.
#include "lib/zk/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <vector>

#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::zk {
namespace {

using testing::await_reply;
using testing::wait_until;
using testing::ZooKeeperServer;

class ZkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = ::testing::TempDir() + "/zk_client_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<ZooKeeperServer>(dir_);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error();
    loop_.start_thread();
  }
  void TearDown() override {
    if (loop_running()) {
      loop_.call([this] {
        clients_.clear();
        return 0;
      });
      loop_.stop();
      loop_.join();
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  bool loop_running() const { return server_ != nullptr; }

  // A connected client; `events` records its session events.
  Client& connect(std::vector<SessionEvent>* events = nullptr,
                  std::optional<std::string> credentials = std::nullopt,
                  Duration timeout = Duration::seconds(4)) {
    auto connected = std::make_shared<std::atomic<bool>>(false);
    Client* client = loop_.call([&] {
      ClientOptions options{server_->connect_string(), timeout, credentials};
      clients_.push_back(std::make_unique<Client>(loop_, options, [=](SessionEvent event) {
        if (events) events->push_back(event);
        if (event == SessionEvent::kConnected) *connected = true;
      }));
      return clients_.back().get();
    });
    EXPECT_TRUE(wait_until([&] { return connected->load(); })) << "no ZooKeeper session";
    return *client;
  }

  Reply<std::string> create(Client& c, const std::string& path, const std::string& data,
                            CreateMode mode = CreateMode::kPersistent) {
    return await_reply<std::string>(loop_, [&](auto done) { c.create(path, data, mode, done); });
  }
  Reply<std::pair<std::string, Stat>> get(Client& c, const std::string& path) {
    return await_reply<std::pair<std::string, Stat>>(
        loop_, [&](auto done) { c.get(path, nullptr, done); });
  }

  std::string dir_;
  std::unique_ptr<ZooKeeperServer> server_;
  EventLoop loop_;
  std::vector<std::unique_ptr<Client>> clients_;  // loop-owned
};

TEST_F(ZkClientTest, CreateGetSetWithVersions) {
  Client& c = connect();
  ASSERT_TRUE(create(c, "/a", "one").ok());
  EXPECT_EQ(create(c, "/a", "again").code, Code::kNodeExists);
  auto got = get(c, "/a");
  ASSERT_TRUE(got.ok()) << got.error;
  EXPECT_EQ(got.value.first, "one");
  EXPECT_EQ(got.value.second.version, 0);

  auto set = await_reply<Stat>(loop_, [&](auto done) { c.set("/a", "two", 0, done); });
  ASSERT_TRUE(set.ok()) << set.error;
  EXPECT_EQ(set.value.version, 1);
  // A writer holding an old version loses: nothing is overwritten.
  auto stale = await_reply<Stat>(loop_, [&](auto done) { c.set("/a", "three", 0, done); });
  EXPECT_EQ(stale.code, Code::kBadVersion);
  EXPECT_EQ(get(c, "/a").value.first, "two");
  EXPECT_EQ(get(c, "/missing").code, Code::kNoNode);

  auto parents = await_reply<Nothing>(loop_, [&](auto done) { c.create_parents("/x/y/z", done); });
  ASSERT_TRUE(parents.ok()) << parents.error;
  auto again = await_reply<Nothing>(loop_, [&](auto done) { c.create_parents("/x/y/z", done); });
  EXPECT_TRUE(again.ok()) << again.error;
  auto kids = await_reply<std::vector<std::string>>(
      loop_, [&](auto done) { c.children("/x/y", nullptr, done); });
  ASSERT_TRUE(kids.ok());
  EXPECT_EQ(kids.value, std::vector<std::string>{"z"});
}

TEST_F(ZkClientTest, MultiIsAllOrNothing) {
  Client& c = connect();
  ASSERT_TRUE(create(c, "/m", "0").ok());
  // The check fails (version 5 is wrong), so the create and set do not happen.
  auto failed = await_reply<Nothing>(loop_, [&](auto done) {
    c.multi({Op::create("/m/new", "x"), Op::set("/m", "1", 0), Op::check("/m", 5)}, done);
  });
  EXPECT_EQ(failed.code, Code::kBadVersion);
  EXPECT_NE(failed.error.find("check /m (operation 3 of 3)"), std::string::npos) << failed.error;
  EXPECT_EQ(get(c, "/m/new").code, Code::kNoNode);
  EXPECT_EQ(get(c, "/m").value.first, "0");

  auto ok = await_reply<Nothing>(loop_, [&](auto done) {
    c.multi({Op::create("/m/new", "x"), Op::set("/m", "1", 0), Op::check("/m", 1)}, done);
  });
  ASSERT_TRUE(ok.ok()) << ok.error;
  EXPECT_EQ(get(c, "/m/new").value.first, "x");
  EXPECT_EQ(get(c, "/m").value.first, "1");
}

TEST_F(ZkClientTest, EphemeralSequentialNodesGoWithTheirSession) {
  Client& owner = connect();
  Client& watcher = connect();
  ASSERT_TRUE(create(owner, "/e", "").ok());
  auto first = create(owner, "/e/n_", "a", CreateMode::kEphemeralSequential);
  auto second = create(owner, "/e/n_", "b", CreateMode::kEphemeralSequential);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.value, "/e/n_0000000000");
  EXPECT_EQ(sequence_of(second.value.substr(3)), 1);

  std::atomic<int> fired{0};
  auto watched = await_reply<std::vector<std::string>>(loop_, [&](auto done) {
    watcher.children("/e", [&](WatchEvent event) {
      if (event == WatchEvent::kChildren) ++fired;
    }, done);
  });
  ASSERT_TRUE(watched.ok());
  EXPECT_EQ(watched.value.size(), 2u);
  // Closing the owner's session removes its ephemeral nodes and fires the watch once.
  loop_.call([&] {
    clients_.erase(clients_.begin());
    return 0;
  });
  EXPECT_TRUE(wait_until([&] { return fired.load() == 1; }));
  auto left = await_reply<std::vector<std::string>>(
      loop_, [&](auto done) { watcher.children("/e", nullptr, done); });
  EXPECT_TRUE(left.ok() && left.value.empty());
}

TEST_F(ZkClientTest, DigestCredentialsLetEveryoneReadAndOnlyTheCreatorWrite) {
  Client& ops = connect(nullptr, std::string("ops:secret"));
  Client& anonymous = connect();
  ASSERT_TRUE(create(ops, "/secure", "leader").ok());
  EXPECT_EQ(get(anonymous, "/secure").value.first, "leader");
  auto denied = await_reply<Stat>(loop_, [&](auto done) { anonymous.set("/secure", "me", -1, done); });
  EXPECT_EQ(denied.code, Code::kNoAuth) << denied.error;
  auto allowed = await_reply<Stat>(loop_, [&](auto done) { ops.set("/secure", "ops", -1, done); });
  EXPECT_TRUE(allowed.ok()) << allowed.error;
}

TEST_F(ZkClientTest, LosingTheServerForTheSessionTimeoutExpiresTheSession) {
  std::vector<SessionEvent> events;  // appended on the loop, read after it settles
  connect(&events, std::nullopt, Duration::seconds(2));
  server_->kill();
  // Disconnected first, then expired once the whole timeout passed.
  EXPECT_TRUE(wait_until([&] {
    return loop_.call([&] { return !events.empty() && events.back() == SessionEvent::kExpired; });
  }));
  std::vector<SessionEvent> seen = loop_.call([&] { return events; });
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen[0], SessionEvent::kConnected);
  EXPECT_EQ(seen[1], SessionEvent::kDisconnected);
  // A new session works once the server is back.
  ASSERT_TRUE(server_->start().ok());
  Client& fresh = connect();
  EXPECT_TRUE(create(fresh, "/after", "").ok());
}

TEST_F(ZkClientTest, ShortDisconnectionKeepsTheSession) {
  std::vector<SessionEvent> events;
  Client& c = connect(&events, std::nullopt, Duration::seconds(20));
  ASSERT_TRUE(create(c, "/mine", "", CreateMode::kEphemeral).ok());
  int64_t session = loop_.call([&] { return c.session_id(); });
  server_->kill();
  ASSERT_TRUE(wait_until([&] {
    return loop_.call([&] { return !events.empty() && events.back() == SessionEvent::kDisconnected; });
  }));
  ASSERT_TRUE(server_->start().ok());
  ASSERT_TRUE(wait_until([&] {
    return loop_.call([&] { return events.back() == SessionEvent::kConnected; });
  }));
  EXPECT_EQ(loop_.call([&] { return c.session_id(); }), session);
  EXPECT_TRUE(get(c, "/mine").ok());  // the ephemeral node survived
}

}  // namespace
}  // namespace cairn::zk
