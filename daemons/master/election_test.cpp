// HA masters in one process against a real ZooKeeper server: election,
// standby redirects, the registry in ZooKeeper surviving a failover, and
// stepping down when the session is lost.
#include "daemons/master/election.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"
#include "lib/zk/testing/zk_server.hpp"
#include "lib/zk/testing/zk_test_support.hpp"

namespace cairn::master {
namespace {

using testing::eventually;
using testing::MasterProcess;
using testing::RawScheduler;
using testing::SimulatedAgent;
using testing::SimulatedAgentOptions;
using testing::TestClient;

// A loopback port nothing listens on (the kernel's pick, released).
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ADD_FAILURE() << "cannot pick a free port: " << std::strerror(errno);
  }
  if (fd >= 0) ::close(fd);
  return ntohs(address.sin_port);
}

class ElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = zk::testing::zookeeper_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = ::testing::TempDir() + "/election_test_" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    zk_ = std::make_unique<zk::testing::ZooKeeperServer>(dir_ + "/zk");
    Status started = zk_->start();
    ASSERT_TRUE(started.ok()) << started.error();
  }
  void TearDown() override {
    agents_.clear();
    masters_.clear();
    zk_.reset();
    std::filesystem::remove_all(dir_);
  }

  MasterProcess& start_master(const std::function<void(MasterFlags&)>& tweak = {}) {
    MasterFlags flags = testing::test_master_flags(dir_ + "/m" + std::to_string(masters_.size()));
    flags.zk = "zk://" + zk_->connect_string() + "/cairn";
    flags.zk_session_timeout = Duration::seconds(2);
    if (tweak) tweak(flags);
    masters_.push_back(std::make_unique<MasterProcess>(flags));
    return *masters_.back();
  }

  double elected(MasterProcess& master) {
    http::Response response = client_.get(master.url() + "/metrics/snapshot");
    return nlohmann::json::parse(response.body).value("master/elected", -1.0);
  }

  std::string dir_;
  std::unique_ptr<zk::testing::ZooKeeperServer> zk_;
  std::vector<std::unique_ptr<MasterProcess>> masters_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
  TestClient client_;
};

TEST_F(ElectionTest, StandbyRedirectsToTheLeaderAndTakesOverWithTheRegistry) {
  MasterProcess& first = start_master();
  ASSERT_TRUE(eventually([&] { return first.leading(); }, Duration::seconds(20)));
  MasterProcess& second = start_master();
  // The standby knows the leader and sends everything that needs it there.
  ASSERT_TRUE(eventually(
      [&] { return client_.get(second.url() + "/master/redirect").status == 307; },
      Duration::seconds(20)));
  const std::string first_location = "//127.0.0.1:" + std::to_string(first.port());
  EXPECT_EQ(client_.get(second.url() + "/master/redirect").headers.get("Location"),
            first_location);
  http::Response state = client_.get(second.url() + "/master/state?jsonp=x");
  EXPECT_EQ(state.status, 307);
  EXPECT_EQ(state.headers.get("Location"), first_location + "/master/state?jsonp=x");
  EXPECT_EQ(client_.post_json(second.url() + "/api/v1/scheduler", {{"type", "SUBSCRIBE"}}).status,
            307);
  EXPECT_EQ(client_.get(second.url() + "/health").status, 200);
  EXPECT_EQ(elected(first), 1.0);
  EXPECT_EQ(elected(second), 0.0);

  // An agent and a framework are admitted by the leader: both go to the
  // registry in ZooKeeper before they are answered.
  SimulatedAgentOptions agent_options;
  agent_options.master = first.url();
  agents_.push_back(std::make_unique<SimulatedAgent>(client_.loop(), agent_options));
  client_.loop().call([&] {
    agents_.back()->start();
    return 0;
  });
  ASSERT_TRUE(eventually([&] { return agents_.back()->registered(); }));
  std::string agent_id = *agents_.back()->agent_id();
  RawScheduler framework(client_, first.url());
  ASSERT_EQ(framework.subscribe({{"name", "ha"}, {"user", "root"}, {"failover_timeout", 600},
                                 {"roles", {"*"}},
                                 {"capabilities", {{{"type", "MULTI_ROLE"}}}}}),
            200);
  ASSERT_FALSE(framework.wait_for("SUBSCRIBED").empty());
  std::string framework_id = framework.framework_id();
  http::Response weights = client_.send(first.url() + "/master/weights", [] {
    http::Request request;
    request.method = "PUT";
    request.body = R"([{"role": "prod", "weight": 3}])";
    return request;
  }());
  ASSERT_EQ(weights.status, 200) << weights.body;
  const nlohmann::json machine{{"hostname", "rack1-node7"}, {"ip", "10.1.0.7"}};
  http::Response scheduled = client_.post_json(
      first.url() + "/master/maintenance/schedule",
      {{"windows",
        {{{"machine_ids", {machine}}, {"unavailability", {{"start", {{"nanoseconds", 0}}}}}}}}});
  ASSERT_EQ(scheduled.status, 200) << scheduled.body;

  // The leader dies (its session closes): the standby leads and recovers it all.
  framework.disconnect();
  masters_.erase(masters_.begin());
  MasterProcess& leader = *masters_.front();
  ASSERT_TRUE(eventually([&] { return leader.leading(); }, Duration::seconds(20)));
  nlohmann::json agents =
      nlohmann::json::parse(client_.post_json(leader.url() + "/api/v1", {{"type", "GET_AGENTS"}}).body);
  ASSERT_EQ(agents["get_agents"]["recovered_agents"].size(), 1u) << agents.dump();
  EXPECT_EQ(agents["get_agents"]["recovered_agents"][0]["id"]["value"], agent_id);
  nlohmann::json stored_weights = nlohmann::json::parse(client_.get(leader.url() + "/master/weights").body);
  EXPECT_EQ(stored_weights, nlohmann::json::parse(R"([{"role": "prod", "weight": 3.0}])"));
  EXPECT_EQ(nlohmann::json::parse(client_.get(leader.url() + "/master/maintenance/status").body),
            (nlohmann::json{{"draining_machines", {{{"id", machine}}}}}));

  // The agent re-registers with its id; the framework re-subscribes with its id.
  agents_.clear();
  agent_options.master = leader.url();
  agent_options.agent_id = agent_id;
  agents_.push_back(std::make_unique<SimulatedAgent>(client_.loop(), agent_options));
  client_.loop().call([&] {
    agents_.back()->start();
    return 0;
  });
  ASSERT_TRUE(eventually([&] { return agents_.back()->registered(); }));
  EXPECT_EQ(agents_.back()->agent_id(), agent_id);
  RawScheduler again(client_, leader.url());
  ASSERT_EQ(again.subscribe({{"id", {{"value", framework_id}}}, {"name", "ha"}, {"user", "root"},
                             {"failover_timeout", 600}, {"roles", {"*"}},
                             {"capabilities", {{{"type", "MULTI_ROLE"}}}}}),
            200);
  nlohmann::json subscribed = again.wait_for("SUBSCRIBED");
  EXPECT_EQ(subscribed["subscribed"]["framework_id"]["value"], framework_id);
  EXPECT_FALSE(again.wait_for("OFFERS").empty());
}

TEST_F(ElectionTest, FrameworksThatDoNotComeBackAfterAFailoverAreTornDown) {
  // Agents get 1 s to come back, so a framework's failover timeout (2 s)
  // is what counts after the election.
  auto quick = [](MasterFlags& flags) { flags.agent_reregister_timeout = Duration::seconds(1); };
  MasterProcess& first = start_master(quick);
  ASSERT_TRUE(eventually([&] { return first.leading(); }, Duration::seconds(20)));
  start_master(quick);

  SimulatedAgentOptions agent_options;
  agent_options.master = first.url();
  agents_.push_back(std::make_unique<SimulatedAgent>(client_.loop(), agent_options));
  SimulatedAgent& agent = *agents_.back();
  client_.loop().call([&] {
    agent.start();
    return 0;
  });
  ASSERT_TRUE(eventually([&] { return agent.registered(); }));
  const std::string agent_id = *agent.agent_id();

  auto info = [](const std::string& name) {
    return nlohmann::json{{"name", name},
                          {"user", "root"},
                          {"failover_timeout", 2},
                          {"roles", {"*"}},
                          {"capabilities", {{{"type", "MULTI_ROLE"}}}}};
  };
  // "gone" runs a task and never comes back; "idle" has no task and never
  // comes back; "back" re-subscribes with the new leader.
  RawScheduler gone(client_, first.url());
  ASSERT_EQ(gone.subscribe(info("gone")), 200);
  nlohmann::json offers = gone.wait_for("OFFERS");
  ASSERT_FALSE(offers.empty());
  nlohmann::json launch = {
      {"type", "ACCEPT"},
      {"accept",
       {{"offer_ids", {offers["offers"]["offers"][0]["id"]}},
        {"operations",
         {{{"type", "LAUNCH"},
           {"launch",
            {{"task_infos",
              {{{"name", "t"},
                {"task_id", {{"value", "t"}}},
                {"agent_id", {{"value", agent_id}}},
                {"resources", {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 1}}}}}},
                {"command", {{"value", "sleep 1000"}}}}}}}}}}}}}};
  ASSERT_EQ(gone.call(launch).status, 202);
  ASSERT_FALSE(gone.wait_for("UPDATE").empty());
  RawScheduler idle(client_, first.url());
  ASSERT_EQ(idle.subscribe(info("idle")), 200);
  RawScheduler back(client_, first.url());
  ASSERT_EQ(back.subscribe(info("back")), 200);
  ASSERT_FALSE(idle.wait_for("SUBSCRIBED").empty());
  ASSERT_FALSE(back.wait_for("SUBSCRIBED").empty());
  const std::string gone_id = gone.framework_id(), idle_id = idle.framework_id(),
                    back_id = back.framework_id();

  // The leader dies before it could time any of them out itself.
  masters_.erase(masters_.begin());
  MasterProcess& leader = *masters_.front();
  ASSERT_TRUE(eventually([&] { return leader.leading(); }, Duration::seconds(20)));
  client_.loop().call([&] {
    agent.disconnect();
    agent.follow(leader.url());
    agent.start();
    return 0;
  });
  RawScheduler again(client_, leader.url());
  nlohmann::json back_info = info("back");
  back_info["id"] = {{"value", back_id}};
  ASSERT_EQ(again.subscribe(back_info), 200);
  ASSERT_FALSE(again.wait_for("SUBSCRIBED").empty());
  ASSERT_TRUE(eventually([&] { return agent.registered(); }));

  // "gone" and "idle" are torn down once their 2 s have passed; the agent is
  // told to shut "gone" down, which kills its task.
  auto state = [&] {
    return nlohmann::json::parse(client_.get(leader.url() + "/master/state").body);
  };
  ASSERT_TRUE(eventually([&] { return state()["completed_frameworks"].size() == 2; },
                         Duration::seconds(20)))
      << state().dump();
  nlohmann::json s = state();
  std::set<std::string> completed;
  for (const nlohmann::json& f : s["completed_frameworks"])
    completed.insert(f["id"].get<std::string>());
  EXPECT_EQ(completed, (std::set<std::string>{gone_id, idle_id}));
  ASSERT_EQ(s["frameworks"].size(), 1u) << s.dump();
  EXPECT_EQ(s["frameworks"][0]["id"], back_id);
  EXPECT_TRUE(s["frameworks"][0]["active"].get<bool>());
  EXPECT_TRUE(eventually([&] { return agent.tasks().empty(); }));

  // Gone for good: a late re-subscription is refused, and a later leader
  // does not know them either (the registry forgot them).
  RawScheduler late(client_, leader.url());
  nlohmann::json gone_info = info("gone");
  gone_info["id"] = {{"value", gone_id}};
  EXPECT_EQ(late.subscribe(gone_info), 403);
  again.disconnect();
  start_master(quick);
  masters_.erase(masters_.begin());
  MasterProcess& third = *masters_.front();
  ASSERT_TRUE(eventually([&] { return third.leading(); }, Duration::seconds(20)));
  // Only "back" is still registered, so only it is waited for and, as it
  // does not come back this time, torn down.
  auto third_state = [&] {
    return nlohmann::json::parse(client_.get(third.url() + "/master/state").body);
  };
  ASSERT_TRUE(eventually([&] { return !third_state()["completed_frameworks"].empty(); },
                         Duration::seconds(20)));
  s = third_state();
  ASSERT_EQ(s["completed_frameworks"].size(), 1u) << s.dump();
  EXPECT_EQ(s["completed_frameworks"][0]["id"], back_id);
}

TEST_F(ElectionTest, ALeaderThatLosesZooKeeperStepsDown) {
  MasterProcess& master = start_master();
  ASSERT_TRUE(eventually([&] { return master.leading(); }, Duration::seconds(20)));
  zk_->kill();
  // Disconnected for the whole session timeout (2 s): no longer sure to lead.
  EXPECT_TRUE(eventually([&] { return !master.stepped_down().empty(); }, Duration::seconds(20)));
  EXPECT_NE(master.stepped_down().find("session"), std::string::npos) << master.stepped_down();
  EXPECT_FALSE(master.leading());
}

TEST_F(ElectionTest, AStandbyNeverRedirectsToItsOwnPreviousRun) {
  // This master's previous run left its json.info_ node behind, its session
  // not yet expired (it stopped while ZooKeeper was unreachable): the node
  // has the master's address and an id of its own, and is the lowest.
  const uint16_t port = free_port();
  EventLoop loop;
  loop.start_thread();
  auto connected = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<zk::Client> old_session = loop.call([&] {
    zk::ClientOptions options{zk_->connect_string(), Duration::seconds(30), std::nullopt};
    return std::make_unique<zk::Client>(loop, options, [connected](zk::SessionEvent event) {
      if (event == zk::SessionEvent::kConnected) *connected = true;
    });
  });
  ASSERT_TRUE(eventually([&] { return connected->load(); }));
  const nlohmann::json previous_run{
      {"id", "previous-run"},
      {"pid", "master@127.0.0.1:" + std::to_string(port)},
      {"hostname", "127.0.0.1"},
      {"port", port},
      {"address", {{"hostname", "127.0.0.1"}, {"ip", "127.0.0.1"}, {"port", port}}}};
  zk::Reply<zk::Nothing> parents = zk::testing::await_reply<zk::Nothing>(
      loop, [&](auto done) { old_session->create_parents("/cairn", done); });
  ASSERT_TRUE(parents.ok()) << parents.error;
  zk::Reply<std::string> node = zk::testing::await_reply<std::string>(loop, [&](auto done) {
    old_session->create("/cairn/json.info_", previous_run.dump(),
                        zk::CreateMode::kEphemeralSequential, done);
  });
  ASSERT_TRUE(node.ok()) << node.error;

  MasterFlags flags = testing::test_master_flags(dir_ + "/restarted");
  flags.port = port;
  flags.zk = "zk://" + zk_->connect_string() + "/cairn";
  flags.zk_session_timeout = Duration::seconds(2);
  masters_.push_back(std::make_unique<MasterProcess>(flags));
  MasterProcess& master = *masters_.back();
  ASSERT_EQ(master.port(), port);
  // Once it has joined (two nodes, the old one lowest) it waits with a 503
  // rather than sending clients back to itself with a 307.
  ASSERT_TRUE(eventually([&] {
    auto children = zk::testing::await_reply<std::vector<std::string>>(
        loop, [&](auto done) { old_session->children("/cairn", nullptr, done); });
    return children.ok() && std::count_if(children.value.begin(), children.value.end(),
                                          [](auto& c) { return c.starts_with("json.info_"); }) == 2;
  }));
  EXPECT_FALSE(
      eventually([&] { return client_.get(master.url() + "/master/redirect").status == 307; },
                 Duration::seconds(3)));
  EXPECT_EQ(client_.get(master.url() + "/master/redirect").status, 503);
  EXPECT_FALSE(master.leading());

  // The old session ends: its node goes, and the master leads.
  loop.call([&] {
    old_session.reset();
    return 0;
  });
  loop.stop();
  loop.join();
  ASSERT_TRUE(eventually([&] { return master.leading(); }, Duration::seconds(20)));
  http::Response redirect = client_.get(master.url() + "/master/redirect");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ(redirect.headers.get("Location"), "//127.0.0.1:" + std::to_string(port));
}

}  // namespace
}  // namespace cairn::master
