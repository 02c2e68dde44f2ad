// Master behaviour beyond the basic flows: task groups, offer timeouts,
// multi-role and public-agent offers, role whitelists, framework messages,
// per-principal metrics and the operator event stream.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::master {
namespace {

using testing::eventually;
using testing::MasterProcess;
using testing::RawScheduler;
using testing::SimulatedAgent;
using testing::SimulatedAgentOptions;
using testing::TestClient;

nlohmann::json scalar(const std::string& name, double value) {
  return {{"name", name}, {"type", "SCALAR"}, {"scalar", {{"value", value}}}};
}

class MasterFeaturesTest : public ::testing::Test {
 protected:
  void start(const std::function<void(MasterFlags&)>& tweak = {}) {
    work_dir_ = std::filesystem::temp_directory_path() /
                ("cairn-master-features-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(work_dir_);
    std::filesystem::create_directories(work_dir_);
    MasterFlags flags = testing::test_master_flags(work_dir_);
    if (tweak) tweak(flags);
    master_ = std::make_unique<MasterProcess>(flags);
  }
  void TearDown() override {
    agents_.clear();
    master_.reset();
    std::filesystem::remove_all(work_dir_);
  }
  SimulatedAgent& add_agent(const std::string& resources) {
    SimulatedAgentOptions options;
    options.master = master_->url();
    options.resources = resources;
    options.hostname = "agent" + std::to_string(agents_.size());
    auto agent = std::make_unique<SimulatedAgent>(client_.loop(), options);
    client_.loop().call([&] { agent->start(); });
    SimulatedAgent& ref = *agent;
    agents_.push_back(std::move(agent));
    EXPECT_TRUE(eventually([&] { return ref.registered(); }));
    return ref;
  }
  nlohmann::json metrics() {
    return nlohmann::json::parse(client_.get(master_->url() + "/metrics/snapshot").body);
  }

  static inline int counter_ = 0;
  std::string work_dir_;
  TestClient client_;
  std::unique_ptr<MasterProcess> master_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
};

TEST_F(MasterFeaturesTest, LaunchGroupRunsEveryTaskUnderOneExecutor) {
  start();
  SimulatedAgent& agent = add_agent("cpus:4;mem:4096");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe({{"user", "u"}, {"name", "pods"}}), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  auto member = [&](const std::string& id) {
    return nlohmann::json{{"name", id},
                          {"task_id", {{"value", id}}},
                          {"agent_id", {{"value", *agent.agent_id()}}},
                          {"resources", {scalar("cpus", 0.5), scalar("mem", 64)}},
                          {"command", {{"value", "sleep 100"}}}};
  };
  nlohmann::json call{
      {"type", "ACCEPT"},
      {"accept",
       {{"offer_ids", {offers["offers"]["offers"][0]["id"]}},
        {"operations",
         {{{"type", "LAUNCH_GROUP"},
           {"launch_group",
            {{"executor",
              {{"type", "DEFAULT"},
               {"executor_id", {{"value", "pod-executor"}}},
               {"resources", {scalar("cpus", 0.1), scalar("mem", 32)}}}},
             {"task_group", {{"tasks", {member("web"), member("sidecar")}}}}}}}}}}}};
  EXPECT_EQ(scheduler.call(call).status, 202);
  std::set<std::string> running;
  for (int i = 0; i < 2; ++i) {
    nlohmann::json update = scheduler.wait_for("UPDATE");
    ASSERT_FALSE(update.is_null());
    EXPECT_EQ(update["update"]["status"]["state"], "TASK_RUNNING");
    running.insert(update["update"]["status"]["task_id"]["value"].get<std::string>());
    const nlohmann::json& status = update["update"]["status"];
    scheduler.call({{"type", "ACKNOWLEDGE"},
                    {"acknowledge",
                     {{"agent_id", status["agent_id"]}, {"task_id", status["task_id"]}, {"uuid", status["uuid"]}}}});
  }
  EXPECT_EQ(running, (std::set<std::string>{"web", "sidecar"}));
  nlohmann::json state = nlohmann::json::parse(client_.get(master_->url() + "/master/state").body);
  EXPECT_EQ(state["frameworks"][0]["executors"].size(), 1u);
  EXPECT_DOUBLE_EQ(state["frameworks"][0]["used_resources"]["cpus"].get<double>(), 1.1);
  bool saw_group = false;
  for (const auto& event : agent.events()) saw_group = saw_group || event["type"] == "RUN_TASK_GROUP";
  EXPECT_TRUE(saw_group);

  // A group with an invalid member fails as a whole.
  nlohmann::json more = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(more.is_null());
  nlohmann::json bad = call;
  bad["accept"]["offer_ids"] = {more["offers"]["offers"][0]["id"]};
  bad["accept"]["operations"][0]["launch_group"]["task_group"]["tasks"] = {member("ok"), member("ok")};
  http::Response bad_response = scheduler.call(bad);
  EXPECT_EQ(bad_response.status, 202) << bad_response.body;
  int errors = 0;
  for (int i = 0; i < 50 && errors < 2; ++i) {
    nlohmann::json update = scheduler.wait_for("UPDATE");
    ASSERT_FALSE(update.is_null());
    if (update["update"]["status"]["task_id"]["value"] != "ok") continue;  // earlier updates, re-sent
    EXPECT_EQ(update["update"]["status"]["state"], "TASK_ERROR");
    EXPECT_EQ(update["update"]["status"]["reason"], "REASON_TASK_GROUP_INVALID");
    ++errors;
  }
  EXPECT_EQ(errors, 2);
}

TEST_F(MasterFeaturesTest, OfferTimeoutRescindsAndReoffers) {
  start([](MasterFlags& flags) { flags.offer_timeout = Duration::milliseconds(200); });
  add_agent("cpus:2;mem:1024");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe({{"user", "u"}, {"name", "slow"}}), 200);
  nlohmann::json first = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(first.is_null());
  nlohmann::json rescind = scheduler.wait_for("RESCIND");
  ASSERT_FALSE(rescind.is_null());
  EXPECT_EQ(rescind["rescind"]["offer_id"], first["offers"]["offers"][0]["id"]);
  EXPECT_FALSE(scheduler.wait_for("OFFERS").is_null());
  EXPECT_GE(metrics()["master/offers_rescinded"].get<double>(), 1.0);
}

TEST_F(MasterFeaturesTest, MultiRoleOffersCarryAllocationInfoAndPublicResourcesStayPublic) {
  start();
  add_agent("cpus(slave_public):2;mem(slave_public):512");
  add_agent("cpus:2;mem:512");
  RawScheduler multi(client_, master_->url());
  ASSERT_EQ(multi.subscribe({{"user", "u"},
                             {"name", "multi"},
                             {"roles", {"slave_public", "dev"}},
                             {"capabilities", {{{"type", "MULTI_ROLE"}}}}}),
            200);
  std::set<std::string> roles;
  for (int i = 0; i < 2; ++i) {
    nlohmann::json offers = multi.wait_for("OFFERS");
    ASSERT_FALSE(offers.is_null());
    for (const auto& offer : offers["offers"]["offers"]) {
      ASSERT_TRUE(offer.contains("allocation_info"));
      roles.insert(offer["allocation_info"]["role"].get<std::string>());
      for (const auto& resource : offer["resources"]) {
        EXPECT_EQ(resource["allocation_info"]["role"], offer["allocation_info"]["role"]);
      }
    }
    if (roles.size() == 2) break;
  }
  EXPECT_TRUE(roles.count("slave_public"));

  // A framework only in "*" never sees the public agent's resources.
  RawScheduler plain(client_, master_->url());
  EXPECT_EQ(multi.call({{"type", "TEARDOWN"}}).status, 202);
  ASSERT_EQ(plain.subscribe({{"user", "u"}, {"name", "plain"}}), 200);
  nlohmann::json offers = plain.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  for (const auto& offer : offers["offers"]["offers"]) {
    EXPECT_FALSE(offer.contains("allocation_info"));  // not MULTI_ROLE: stripped
    EXPECT_EQ(offer["hostname"], "agent1");
  }
  EXPECT_TRUE(plain.wait_for("OFFERS", Duration::milliseconds(400)).is_null());
}

TEST_F(MasterFeaturesTest, RoleWhitelistRefusesOtherRoles) {
  start([](MasterFlags& flags) { flags.roles = "prod,ops"; });
  RawScheduler prod(client_, master_->url());
  EXPECT_EQ(prod.subscribe({{"user", "u"}, {"name", "p"}, {"role", "prod"}}), 200);
  http::Response refused = client_.post_json(
      master_->url() + "/api/v1/scheduler",
      {{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", {{"user", "u"}, {"name", "d"}, {"role", "dev"}}}}}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("--roles"), std::string::npos);
}

TEST_F(MasterFeaturesTest, MessagesAndPerPrincipalMetrics) {
  start();
  SimulatedAgent& agent = add_agent("cpus:2;mem:1024");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe({{"user", "u"}, {"name", "m"}, {"principal", "alice"}}), 200);
  ASSERT_FALSE(scheduler.wait_for("SUBSCRIBED").is_null());
  EXPECT_EQ(scheduler.call({{"type", "MESSAGE"},
                            {"message",
                             {{"agent_id", {{"value", *agent.agent_id()}}},
                              {"executor_id", {{"value", "e1"}}},
                              {"data", "aGVsbG8="}}}})
                .status,
            202);
  EXPECT_TRUE(eventually([&] {
    for (const auto& event : agent.events()) {
      if (event["type"] == "MESSAGE" && event["message"]["data"] == "aGVsbG8=") return true;
    }
    return false;
  }));
  nlohmann::json m = metrics();
  EXPECT_EQ(m["frameworks/alice/messages_received"], 1.0);
  EXPECT_EQ(m["frameworks/alice/messages_processed"], 1.0);
}

TEST_F(MasterFeaturesTest, OperatorSubscribeStreamsClusterEvents) {
  start();
  http::Request request;
  request.method = "POST";
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Accept", "application/json");
  request.body = R"({"type":"SUBSCRIBE"})";
  std::mutex mutex;
  std::vector<nlohmann::json> events;
  recordio::Decoder decoder;
  std::unique_ptr<http::Client> client;
  std::shared_ptr<http::ClientStream> stream;
  client_.loop().call([&] {
    client = std::make_unique<http::Client>(client_.loop());
    http::Client::StreamCallbacks callbacks;
    callbacks.on_head = [](const http::Response&) {};
    callbacks.on_data = [&](std::string_view data) {
      if (!decoder.feed(data).ok()) return;
      std::lock_guard lock(mutex);
      while (auto record = decoder.next()) events.push_back(nlohmann::json::parse(*record));
    };
    callbacks.on_end = [](Status) {};
    stream = client->open_stream(*http::Url::parse(master_->url() + "/api/v1"), request, std::move(callbacks));
  });
  auto has = [&](const std::string& type) {
    std::lock_guard lock(mutex);
    for (const auto& e : events) {
      if (e["type"] == type) return true;
    }
    return false;
  };
  EXPECT_TRUE(eventually([&] { return has("SUBSCRIBED"); }));
  add_agent("cpus:1;mem:128");
  EXPECT_TRUE(eventually([&] { return has("AGENT_ADDED"); }));
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe({{"user", "u"}, {"name", "watched"}}), 200);
  EXPECT_TRUE(eventually([&] { return has("FRAMEWORK_ADDED"); }));
  client_.loop().call([&] {
    stream->cancel();
    client.reset();
  });
}


TEST_F(MasterFeaturesTest, KillHeartbeatAndOversizeBodies) {
  start([](MasterFlags& flags) { flags.heartbeat_interval = Duration::milliseconds(100); });
  SimulatedAgent& agent = add_agent("cpus:2;mem:1024");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe({{"user", "u"}, {"name", "k"}}), 200);
  nlohmann::json subscribed = scheduler.wait_for("SUBSCRIBED");
  EXPECT_DOUBLE_EQ(subscribed["subscribed"]["heartbeat_interval_seconds"].get<double>(), 0.1);
  EXPECT_FALSE(scheduler.wait_for("HEARTBEAT").is_null());

  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  nlohmann::json task{{"name", "k"},
                      {"task_id", {{"value", "k"}}},
                      {"agent_id", {{"value", *agent.agent_id()}}},
                      {"resources", {scalar("cpus", 1)}},
                      {"command", {{"value", "sleep 100"}}}};
  scheduler.call({{"type", "ACCEPT"},
                  {"accept",
                   {{"offer_ids", {offers["offers"]["offers"][0]["id"]}},
                    {"operations", {{{"type", "LAUNCH"}, {"launch", {{"task_infos", {task}}}}}}}}}});
  ASSERT_EQ(scheduler.wait_for("UPDATE")["update"]["status"]["state"], "TASK_RUNNING");
  EXPECT_EQ(scheduler.call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "k"}}}}}}).status, 202);
  nlohmann::json killed;
  for (int i = 0; i < 20; ++i) {
    killed = scheduler.wait_for("UPDATE");
    if (killed.is_null() || killed["update"]["status"]["state"] == "TASK_KILLED") break;
  }
  ASSERT_FALSE(killed.is_null());
  EXPECT_EQ(killed["update"]["status"]["state"], "TASK_KILLED");
  EXPECT_TRUE(eventually([&] { return metrics()["master/tasks_killed"] == 1.0; }));

  // Killing a task the master does not know answers like reconciliation.
  scheduler.call({{"type", "KILL"}, {"kill", {{"task_id", {{"value", "never"}}}}}});
  nlohmann::json unknown;
  for (int i = 0; i < 20; ++i) {
    unknown = scheduler.wait_for("UPDATE");
    if (unknown.is_null() || unknown["update"]["status"]["task_id"]["value"] == "never") break;
  }
  ASSERT_FALSE(unknown.is_null());
  EXPECT_EQ(unknown["update"]["status"]["state"], "TASK_LOST");  // not partition-aware

  // Bodies over the server's limit are refused from the headers alone.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(master_->port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  std::string head =
      "POST /api/v1/scheduler HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 17825792\r\n\r\n";
  ASSERT_EQ(::write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  char buffer[256] = {};
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  ASSERT_GT(n, 0);
  EXPECT_NE(std::string(buffer).find(" 413 "), std::string::npos) << buffer;
}

TEST_F(MasterFeaturesTest, ReserveInsideAnAcceptKeepsResourcesForTheRole) {
  start();
  SimulatedAgent& agent = add_agent("cpus:4;mem:1024");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe({{"user", "u"}, {"name", "db"}, {"role", "db"}, {"principal", "dba"}}), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  nlohmann::json reserved = scalar("cpus", 2);
  reserved["reservations"] = {{{"type", "DYNAMIC"}, {"role", "db"}, {"principal", "dba"}}};
  EXPECT_EQ(scheduler.call({{"type", "ACCEPT"},
                            {"accept",
                             {{"offer_ids", {offers["offers"]["offers"][0]["id"]}},
                              {"operations", {{{"type", "RESERVE"}, {"reserve", {{"resources", {reserved}}}}}}},
                              {"filters", {{"refuse_seconds", 0}}}}}})
                .status,
            202);
  EXPECT_TRUE(eventually([&] {
    nlohmann::json state = nlohmann::json::parse(client_.get(master_->url() + "/master/state").body);
    return state["slaves"][0]["reserved_resources"].contains("db");
  }));
  bool told = false;
  for (const auto& event : agent.events()) told = told || event["type"] == "APPLY_OPERATION";
  EXPECT_TRUE(told);
  // The next offer carries the reservation.
  nlohmann::json next = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(next.is_null());
  bool has_reserved = false;
  for (const auto& r : next["offers"]["offers"][0]["resources"]) {
    has_reserved = has_reserved || (r["name"] == "cpus" && r.value("role", "*") == "db");
  }
  EXPECT_TRUE(has_reserved) << next.dump();
}

}  // namespace
}  // namespace cairn::master
