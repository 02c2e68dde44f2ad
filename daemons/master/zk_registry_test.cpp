// make_zk_registry against a real ZooKeeper server: what one registry writes
// another recovers, writes are coalesced and version-checked, a deposed or
// stale master cannot write, and 5,000 agents stay far from the 1 MB limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <set>
#include <vector>

#include "daemons/master/registry.hpp"
#include "lib/zk/client.hpp"
#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::master {
namespace {

using zk::testing::await_reply;
using zk::testing::wait_until;
using zk::testing::ZooKeeperServer;
using Clock = std::chrono::steady_clock;

constexpr const char* kShards = "/mesos/registry/shards";
constexpr const char* kMeta = "/mesos/registry/meta";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// An AgentInfo of about `bytes` bytes of JSON.
nlohmann::json agent_info(const std::string& id, size_t bytes = 1000) {
  nlohmann::json info{{"id", {{"value", id}}},
                      {"hostname", "host-" + id + ".example.com"},
                      {"port", 5051},
                      {"resources",
                       {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 16}}}},
                        {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", 65536}}}}}}};
  size_t size = info.dump().size();
  info["attributes"] = {{{"name", "rack"},
                         {"type", "TEXT"},
                         {"text", {{"value", std::string(bytes > size ? bytes - size : 1, 'r')}}}}};
  return info;
}

class ZkRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = zk::testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = ::testing::TempDir() + "/zk_registry_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    server_ = std::make_unique<ZooKeeperServer>(dir_);
    Status started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error();
    loop_.start_thread();
  }
  void TearDown() override {
    if (server_ != nullptr) {
      loop_.call([this] {
        registries_.clear();
        clients_.clear();
        return 0;
      });
      loop_.stop();
      loop_.join();
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A new connected session.
  zk::Client& connect() {
    auto connected = std::make_shared<std::atomic<bool>>(false);
    zk::Client* client = loop_.call([&] {
      zk::ClientOptions options{server_->connect_string(), Duration::seconds(10), std::nullopt};
      clients_.push_back(std::make_unique<zk::Client>(loop_, options, [=](zk::SessionEvent event) {
        if (event == zk::SessionEvent::kConnected) *connected = true;
      }));
      return clients_.back().get();
    });
    EXPECT_TRUE(wait_until([&] { return connected->load(); })) << "no ZooKeeper session";
    return *client;
  }

  // The ephemeral node a master holds while it leads, owned by `c`'s session.
  std::string make_leader(zk::Client& c, const std::string& name) {
    auto parents =
        await_reply<zk::Nothing>(loop_, [&](auto done) { c.create_parents("/mesos", done); });
    EXPECT_TRUE(parents.ok()) << parents.error;
    auto made = await_reply<std::string>(loop_, [&](auto done) {
      c.create("/mesos/" + name, "", zk::CreateMode::kEphemeral, done);
    });
    EXPECT_TRUE(made.ok()) << made.error;
    return made.value;
  }

  Registry& make_registry(zk::Client& c, const std::string& leader) {
    return *loop_.call([&] {
      registries_.push_back(make_zk_registry(loop_, c, "/mesos", leader));
      return registries_.back().get();
    });
  }

  Result<RegistryState> recover(Registry& r) {
    auto promise = std::make_shared<std::promise<Result<RegistryState>>>();
    auto future = promise->get_future();
    loop_.post([&r, promise] {
      r.recover([promise](Result<RegistryState> state) { promise->set_value(std::move(state)); });
    });
    if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      return Error("recover: no reply within 60 s");
    }
    return future.get();
  }

  // Calls apply() once per mutation, all in one loop turn; waits for every done.
  std::vector<Status> apply_all(Registry& r, std::vector<Registry::Mutation> mutations) {
    struct Batch {
      std::vector<Status> results;
      size_t left = 0;
      std::promise<std::vector<Status>> promise;
    };
    auto batch = std::make_shared<Batch>();
    batch->results.resize(mutations.size());
    batch->left = mutations.size();
    auto future = batch->promise.get_future();
    loop_.post([&r, batch, mutations = std::move(mutations)]() mutable {
      for (size_t i = 0; i < mutations.size(); ++i) {
        r.apply(std::move(mutations[i]), [batch, i](Status status) {
          batch->results[i] = status;
          if (--batch->left == 0) batch->promise.set_value(batch->results);
        });
      }
    });
    if (future.wait_for(std::chrono::seconds(120)) != std::future_status::ready) {
      return {Error("apply: no reply within 120 s")};
    }
    return future.get();
  }
  Status apply(Registry& r, Registry::Mutation mutation) {
    std::vector<Registry::Mutation> one;
    one.push_back(std::move(mutation));
    return apply_all(r, std::move(one)).front();
  }

  zk::Reply<std::pair<std::string, zk::Stat>> get(zk::Client& c, const std::string& path) {
    return await_reply<std::pair<std::string, zk::Stat>>(
        loop_, [&](auto done) { c.get(path, nullptr, done); });
  }
  std::vector<std::string> shard_names(zk::Client& c) {
    auto kids = await_reply<std::vector<std::string>>(
        loop_, [&](auto done) { c.children(kShards, nullptr, done); });
    EXPECT_TRUE(kids.ok()) << kids.error;
    std::sort(kids.value.begin(), kids.value.end());
    return kids.value;
  }

  std::string dir_;
  std::unique_ptr<ZooKeeperServer> server_;
  EventLoop loop_;
  std::vector<std::unique_ptr<zk::Client>> clients_;   // loop-owned
  std::vector<std::unique_ptr<Registry>> registries_;  // loop-owned, go first
};

TEST_F(ZkRegistryTest, RecoversAnEmptyStateAndCreatesTheParents) {
  zk::Client& c = connect();
  Registry& registry = make_registry(c, make_leader(c, "leader"));
  Result<RegistryState> state = recover(registry);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->to_json(), RegistryState{}.to_json());
  EXPECT_TRUE(shard_names(c).empty());
  EXPECT_EQ(get(c, kMeta).code, zk::Code::kNoNode);  // written with the first change
}

TEST_F(ZkRegistryTest, WhatOneInstanceWritesAnotherRecovers) {
  zk::Client& c = connect();
  Registry& registry = make_registry(c, make_leader(c, "leader"));
  ASSERT_TRUE(recover(registry).ok());

  ASSERT_TRUE(apply(registry, [](RegistryState& s) {
                for (int i = 0; i < 20; ++i) {
                  std::string id = "agent-" + std::to_string(i);
                  s.agents[id] = agent_info(id, 300);
                }
                s.weights["analytics"] = 2.5;
                s.quotas["analytics"] = nlohmann::json::parse(
                    R"([{"name":"cpus","type":"SCALAR","scalar":{"value":8}}])");
                s.frameworks["fw-1"] = {{"name", "marathon"}, {"id", {{"value", "fw-1"}}}};
              }).ok());
  // Move two agents to unreachable and drop a framework in a later write.
  Status second = apply(registry, [](RegistryState& s) {
    for (const char* id : {"agent-3", "agent-7"}) {
      s.agents.erase(id);
      s.unreachable[id] = 1700000000.25;
    }
    s.frameworks["fw-2"] = {{"name", "spark"}};
    s.frameworks.erase("fw-1");
    s.weights["batch"] = 0.5;
    s.maintenance = {{"schedule", {{"windows", {{{"machine_ids", {{{"hostname", "h1"}}}}}}}}},
                     {"down_machines", {{{"hostname", "h1"}}}}};
  });
  ASSERT_TRUE(second.ok()) << second.error();

  RegistryState expected;
  for (int i = 0; i < 20; ++i) {
    std::string id = "agent-" + std::to_string(i);
    if (i != 3 && i != 7) expected.agents[id] = agent_info(id, 300);
  }
  expected.unreachable = {{"agent-3", 1700000000.25}, {"agent-7", 1700000000.25}};
  expected.weights = {{"analytics", 2.5}, {"batch", 0.5}};
  expected.quotas["analytics"] =
      nlohmann::json::parse(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":8}}])");
  expected.frameworks["fw-2"] = {{"name", "spark"}};
  expected.maintenance = {{"schedule", {{"windows", {{{"machine_ids", {{{"hostname", "h1"}}}}}}}}},
                          {"down_machines", {{{"hostname", "h1"}}}}};

  zk::Client& other = connect();
  Registry& again = make_registry(other, make_leader(other, "other"));
  Result<RegistryState> recovered = recover(again);
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->to_json(), expected.to_json());

  auto meta = get(c, kMeta);
  ASSERT_TRUE(meta.ok()) << meta.error;
  nlohmann::json json = nlohmann::json::parse(meta.value.first);
  EXPECT_EQ(json["format"], 1);
  EXPECT_EQ(json["shards"], 256);
  EXPECT_EQ(json["maintenance"]["down_machines"][0]["hostname"], "h1");  // in meta, not a shard
  for (const std::string& name : shard_names(c))
    EXPECT_EQ(name.size(), 3u) << name;
}

TEST_F(ZkRegistryTest, ApplyCallsOfOneTurnShareOneWrite) {
  zk::Client& c = connect();
  Registry& registry = make_registry(c, make_leader(c, "leader"));
  ASSERT_TRUE(recover(registry).ok());
  ASSERT_TRUE(apply(registry, [](RegistryState& s) { s.agents["a"] = {{"n", -1}}; }).ok());
  std::vector<std::string> names = shard_names(c);
  ASSERT_EQ(names.size(), 1u);
  const std::string a_shard = std::string(kShards) + "/" + names[0];
  EXPECT_EQ(get(c, a_shard).value.second.version, 0);  // created

  // 100 changes of one agent in one turn: one set of its shard.
  std::vector<Registry::Mutation> updates;
  for (int i = 0; i < 100; ++i) {
    updates.push_back([i](RegistryState& s) { s.agents["a"]["n"] = i; });
  }
  for (const Status& status : apply_all(registry, std::move(updates))) {
    EXPECT_TRUE(status.ok()) << status.error();
  }
  auto shard = get(c, a_shard);
  EXPECT_EQ(shard.value.second.version, 1);
  EXPECT_EQ(nlohmann::json::parse(shard.value.first)["agents"]["a"]["n"], 99);
  EXPECT_EQ(get(c, kMeta).value.second.version, 0);  // weights/quotas untouched: meta not rewritten

  // 100 new agents in one turn: every other shard is created once.
  std::vector<Registry::Mutation> admits;
  for (int i = 0; i < 100; ++i) {
    admits.push_back([i](RegistryState& s) { s.agents["b-" + std::to_string(i)] = {{"i", i}}; });
  }
  for (const Status& status : apply_all(registry, std::move(admits))) {
    EXPECT_TRUE(status.ok()) << status.error();
  }
  int shards = 0;
  for (const std::string& name : shard_names(c)) {
    const std::string path = std::string(kShards) + "/" + name;
    if (path != a_shard) {
      EXPECT_EQ(get(c, path).value.second.version, 0) << path;
    }
    ++shards;
  }
  EXPECT_GT(shards, 50);  // 101 ids over 256 shards
  zk::Client& other = connect();
  Result<RegistryState> recovered = recover(make_registry(other, "/unused"));
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->agents.size(), 101u);
}

TEST_F(ZkRegistryTest, AnApplyDuringAWriteWaitsForIt) {
  zk::Client& c = connect();
  Registry& registry = make_registry(c, make_leader(c, "leader"));
  ASSERT_TRUE(recover(registry).ok());
  ASSERT_TRUE(apply(registry, [](RegistryState& s) { s.agents["a"] = {{"n", 0}}; }).ok());

  // Ten applies, each made on the turn after the previous one's flush ran
  // (its mutation posts the next), i.e. while that write is in flight. Sent
  // concurrently, all but the first would carry a stale version and fail.
  auto statuses = std::make_shared<std::vector<Status>>();
  auto answered = std::make_shared<std::atomic<int>>(0);
  auto next = std::make_shared<std::function<void(int)>>();
  *next = [this, &registry, statuses, answered, next](int i) {
    registry.apply(
        [this, next, i](RegistryState& s) {
          s.agents["a"]["n"] = i;
          if (i < 10) loop_.post([next, i] { (*next)(i + 1); });
        },
        [statuses, answered](Status status) {
          statuses->push_back(status);
          ++*answered;
        });
  };
  loop_.post([next] { (*next)(1); });
  ASSERT_TRUE(wait_until([&] { return answered->load() == 10; }));
  loop_.call([&] {
    for (const Status& status : *statuses)
      EXPECT_TRUE(status.ok()) << status.error();
    return 0;
  });
  const std::string path = std::string(kShards) + "/" + shard_names(c).at(0);
  auto shard = get(c, path);
  EXPECT_EQ(nlohmann::json::parse(shard.value.first)["agents"]["a"]["n"], 10);
  EXPECT_EQ(shard.value.second.version, 10);  // one write each, in turn
  loop_.call([next] {
    *next = nullptr;  // break the cycle
    return 0;
  });
}

TEST_F(ZkRegistryTest, AMasterThatLostItsLeaderNodeCannotWrite) {
  zk::Client& c = connect();
  const std::string leader = make_leader(c, "leader");
  Registry& registry = make_registry(c, leader);
  ASSERT_TRUE(recover(registry).ok());
  ASSERT_TRUE(apply(registry, [](RegistryState& s) { s.weights["r"] = 1; }).ok());

  auto removed = await_reply<zk::Nothing>(loop_, [&](auto done) { c.remove(leader, -1, done); });
  ASSERT_TRUE(removed.ok()) << removed.error;
  std::vector<Registry::Mutation> writes;
  writes.push_back([](RegistryState& s) { s.agents["x"] = agent_info("x"); });
  writes.push_back([](RegistryState& s) { s.weights["r"] = 5; });
  std::vector<Status> failed = apply_all(registry, std::move(writes));
  for (const Status& status : failed) {
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().find("registry write failed"), std::string::npos) << status.error();
    EXPECT_NE(status.error().find("no longer the leader"), std::string::npos) << status.error();
    EXPECT_NE(status.error().find("check " + leader), std::string::npos) << status.error();
  }
  // Later applies fail at once with the same error, without writing.
  auto start = Clock::now();
  Status later = apply(registry, [](RegistryState& s) { s.weights["q"] = 3; });
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error(), failed[0].error());
  EXPECT_LT(ms_since(start), 1000);

  EXPECT_TRUE(shard_names(c).empty());
  EXPECT_EQ(get(c, kMeta).value.second.version, 0);
  zk::Client& other = connect();
  Result<RegistryState> recovered = recover(make_registry(other, "/unused"));
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_TRUE(recovered->agents.empty());
  EXPECT_EQ(recovered->weights, (std::map<std::string, double>{{"r", 1}}));
}

TEST_F(ZkRegistryTest, AMasterWithAStaleViewCannotWrite) {
  zk::Client& c0 = connect();
  Registry& first = make_registry(c0, make_leader(c0, "first"));
  ASSERT_TRUE(recover(first).ok());
  ASSERT_TRUE(apply(first, [](RegistryState& s) { s.weights["a"] = 1; }).ok());

  // Two masters both believe they lead (each holds its own node) and have
  // both recovered; the one that writes second has a stale meta version.
  zk::Client& ca = connect();
  zk::Client& cb = connect();
  Registry& a = make_registry(ca, make_leader(ca, "a"));
  Registry& b = make_registry(cb, make_leader(cb, "b"));
  ASSERT_TRUE(recover(a).ok());
  ASSERT_TRUE(recover(b).ok());
  Status won = apply(a, [](RegistryState& s) { s.weights["b"] = 2; });
  ASSERT_TRUE(won.ok()) << won.error();
  Status lost = apply(b, [](RegistryState& s) { s.weights["c"] = 3; });
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.error().find("set " + std::string(kMeta)), std::string::npos) << lost.error();
  EXPECT_NE(lost.error().find("bad version"), std::string::npos) << lost.error();
  EXPECT_NE(lost.error().find("no longer the leader"), std::string::npos) << lost.error();
  EXPECT_FALSE(apply(b, [](RegistryState& s) { s.weights["d"] = 4; }).ok());

  // The same for shards: `c` recovers, then `a` admits z; c's view of z's
  // shard (absent, or an older version) is stale, so c's admission fails.
  Status admitted = apply(a, [](RegistryState& s) { s.agents["x"] = {{"by", "a"}}; });
  ASSERT_TRUE(admitted.ok()) << admitted.error();
  zk::Client& cc = connect();
  Registry& c = make_registry(cc, make_leader(cc, "c"));
  ASSERT_TRUE(recover(c).ok());
  ASSERT_TRUE(apply(a, [](RegistryState& s) { s.agents["z"] = {{"by", "a"}}; }).ok());
  Status stale = apply(c, [](RegistryState& s) { s.agents["z"] = {{"by", "c"}}; });
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().find("no longer the leader"), std::string::npos) << stale.error();

  zk::Client& reader = connect();
  Result<RegistryState> recovered = recover(make_registry(reader, "/unused"));
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->weights, (std::map<std::string, double>{{"a", 1}, {"b", 2}}));
  EXPECT_EQ(recovered->agents["x"], (nlohmann::json{{"by", "a"}}));
  EXPECT_EQ(recovered->agents["z"], (nlohmann::json{{"by", "a"}}));
  EXPECT_EQ(recovered->agents.size(), 2u);
}

TEST_F(ZkRegistryTest, FiveThousandAgentsStayFarBelowTheNodeLimit) {
  zk::Client& c = connect();
  Registry& registry = make_registry(c, make_leader(c, "leader"));
  ASSERT_TRUE(recover(registry).ok());

  // Five turns of 1,000 admissions: the later turns rewrite every shard
  // (up to ~5 MB), more than one request holds, so they are split.
  constexpr int kAgents = 5000;
  constexpr int kTurn = 1000;
  auto all_start = Clock::now();
  for (int turn = 0; turn < kAgents / kTurn; ++turn) {
    std::vector<Registry::Mutation> admits;
    for (int i = turn * kTurn; i < (turn + 1) * kTurn; ++i) {
      admits.push_back([i](RegistryState& s) {
        std::string id = "3f2a9c1e-agent-" + std::to_string(i) + "-S0";
        s.agents[id] = agent_info(id);
      });
    }
    auto start = Clock::now();
    std::vector<Status> results = apply_all(registry, std::move(admits));
    std::printf("[ timing ] turn %d: 1,000 agents admitted (registry then %d) in %.0f ms\n", turn,
                (turn + 1) * kTurn, ms_since(start));
    for (const Status& status : results)
      ASSERT_TRUE(status.ok()) << status.error();
  }
  std::printf("[ timing ] 5,000 agents written in %.0f ms\n", ms_since(all_start));

  // One more admission rewrites a single ~20 KB shard.
  auto one_start = Clock::now();
  ASSERT_TRUE(
      apply(registry, [](RegistryState& s) { s.agents["one-more"] = agent_info("x"); }).ok());
  std::printf("[ timing ] one admission on top of 5,000 agents: %.1f ms\n", ms_since(one_start));

  zk::Client& other = connect();
  Registry& again = make_registry(other, "/unused");
  auto start = Clock::now();
  Result<RegistryState> recovered = recover(again);
  std::printf("[ timing ] recovered 5,001 agents in %.0f ms\n", ms_since(start));
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  ASSERT_EQ(recovered->agents.size(), size_t(kAgents + 1));
  for (int i = 0; i < kAgents; i += 97) {
    std::string id = "3f2a9c1e-agent-" + std::to_string(i) + "-S0";
    EXPECT_EQ(recovered->agents[id], agent_info(id)) << id;
  }

  size_t largest = 0;
  size_t total = 0;
  int32_t most_writes = 0;
  std::set<int64_t> transactions;  // a multi is one ZooKeeper transaction (zxid)
  std::vector<std::string> names = shard_names(c);
  EXPECT_EQ(names.size(), 256u);
  for (const std::string& name : names) {
    auto shard = get(c, std::string(kShards) + "/" + name);
    ASSERT_TRUE(shard.ok()) << shard.error;
    largest = std::max(largest, shard.value.first.size());
    most_writes = std::max(most_writes, shard.value.second.version + 1);
    transactions.insert(shard.value.second.mzxid);
    total += shard.value.first.size();
  }
  std::printf("[ sizes  ] %zu shards, %zu bytes in all, largest %zu bytes\n", names.size(), total,
              largest);
  std::printf("[ writes ] last written by %zu transactions; at most %d writes of one shard\n",
              transactions.size(), most_writes);
  // Every turn wrote each shard once (plus the extra admission): coalesced.
  EXPECT_LE(most_writes, kAgents / kTurn + 1);
  // The last turn rewrote ~5.4 MB: more than one request, so several multis.
  EXPECT_GE(transactions.size(), 6u);
  EXPECT_GT(total, size_t(kAgents) * 1000);
  EXPECT_LT(largest, size_t(100 * 1000));  // 50,000 agents would be ~10x: still < 1 MB
}

TEST_F(ZkRegistryTest, ANodeTooBigForZooKeeperIsRefusedWithoutFailingTheRegistry) {
  zk::Client& c = connect();
  Registry& registry = make_registry(c, make_leader(c, "leader"));
  ASSERT_TRUE(recover(registry).ok());
  Status huge =
      apply(registry, [](RegistryState& s) { s.agents["huge"] = agent_info("huge", 1100 * 1000); });
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.error().find("more than ZooKeeper accepts"), std::string::npos) << huge.error();
  Status next = apply(registry, [](RegistryState& s) { s.agents["small"] = agent_info("small"); });
  EXPECT_TRUE(next.ok()) << next.error();
  zk::Client& other = connect();
  Result<RegistryState> recovered = recover(make_registry(other, "/unused"));
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->agents.size(), 1u);
  EXPECT_EQ(recovered->agents.count("small"), 1u);
}

TEST_F(ZkRegistryTest, AnExistingShardCountIsKept) {
  zk::Client& c = connect();
  auto parents = await_reply<zk::Nothing>(
      loop_, [&](auto done) { c.create_parents("/mesos/registry", done); });
  ASSERT_TRUE(parents.ok()) << parents.error;
  auto meta = await_reply<std::string>(loop_, [&](auto done) {
    c.create(kMeta, R"({"format":1,"shards":16,"weights":{"r":2},"quotas":{}})",
             zk::CreateMode::kPersistent, done);
  });
  ASSERT_TRUE(meta.ok()) << meta.error;

  Registry& registry = make_registry(c, make_leader(c, "leader"));
  Result<RegistryState> state = recover(registry);
  ASSERT_TRUE(state.ok()) << state.error();
  EXPECT_EQ(state->weights, (std::map<std::string, double>{{"r", 2}}));
  std::vector<Registry::Mutation> admits;
  for (int i = 0; i < 200; ++i) {
    admits.push_back([i](RegistryState& s) {
      s.agents["agent-" + std::to_string(i)] = {{"i", i}};
    });
  }
  for (const Status& status : apply_all(registry, std::move(admits))) {
    ASSERT_TRUE(status.ok()) << status.error();
  }
  std::vector<std::string> names = shard_names(c);
  EXPECT_EQ(names.size(), 16u);
  for (const std::string& name : names)
    EXPECT_LT(name, "016") << name;
  EXPECT_EQ(get(c, kMeta).value.second.version, 0);  // still as written, untouched
  EXPECT_EQ(nlohmann::json::parse(get(c, kMeta).value.first)["shards"], 16);

  zk::Client& other = connect();
  Result<RegistryState> recovered = recover(make_registry(other, "/unused"));
  ASSERT_TRUE(recovered.ok()) << recovered.error();
  EXPECT_EQ(recovered->agents.size(), 200u);
  EXPECT_EQ(recovered->weights, (std::map<std::string, double>{{"r", 2}}));
}

TEST_F(ZkRegistryTest, CorruptNodesAreNamed) {
  zk::Client& c = connect();
  auto parents =
      await_reply<zk::Nothing>(loop_, [&](auto done) { c.create_parents(kShards, done); });
  ASSERT_TRUE(parents.ok()) << parents.error;
  auto bad = await_reply<std::string>(loop_, [&](auto done) {
    c.create(std::string(kShards) + "/007", "{\"agents\": [tru", zk::CreateMode::kPersistent, done);
  });
  ASSERT_TRUE(bad.ok()) << bad.error;
  Result<RegistryState> state = recover(make_registry(c, "/unused"));
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.error().find("/mesos/registry/shards/007"), std::string::npos) << state.error();

  auto meta = await_reply<std::string>(loop_, [&](auto done) {
    c.create(kMeta, R"({"format":1,"shards":"many"})", zk::CreateMode::kPersistent, done);
  });
  ASSERT_TRUE(meta.ok()) << meta.error;
  state = recover(make_registry(c, "/unused"));
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.error().find(kMeta), std::string::npos) << state.error();
}

}  // namespace
}  // namespace cairn::master
