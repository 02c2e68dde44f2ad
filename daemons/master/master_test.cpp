// The master end to end over real HTTP: a raw JSON framework (no SDK),
// simulated agents speaking the agent protocol, the operator API and the
// classic endpoints.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "daemons/master/testing/master_harness.hpp"
#include "daemons/master/testing/simulated_agent.hpp"
#include "lib/fs/atomic_file.hpp"

namespace cairn::master {
namespace {

using testing::eventually;
using testing::MasterProcess;
using testing::RawScheduler;
using testing::SimulatedAgent;
using testing::SimulatedAgentOptions;
using testing::TestClient;

std::string temp_dir() {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("cairn-master-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

nlohmann::json framework_info(const std::string& name, const std::string& role = "*") {
  return {{"user", "root"}, {"name", name}, {"role", role}, {"failover_timeout", 60},
          {"capabilities", {{{"type", "PARTITION_AWARE"}}}}};
}

nlohmann::json task(const std::string& id, const std::string& agent_id, double cpus, double mem) {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", {{"value", agent_id}}},
          {"resources",
           {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", cpus}}}},
            {{"name", "mem"}, {"type", "SCALAR"}, {"scalar", {{"value", mem}}}}}},
          {"command", {{"value", "sleep 1000"}}}};
}

nlohmann::json accept(const std::string& offer_id, std::vector<nlohmann::json> tasks,
                      double refuse_seconds = 5) {
  return {{"type", "ACCEPT"},
          {"accept",
           {{"offer_ids", {{{"value", offer_id}}}},
            {"operations", {{{"type", "LAUNCH"}, {"launch", {{"task_infos", tasks}}}}}},
            {"filters", {{"refuse_seconds", refuse_seconds}}}}}};
}

class MasterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_dir_ = temp_dir();
    start_master();
  }
  void TearDown() override {
    agents_.clear();
    master_.reset();
    std::filesystem::remove_all(work_dir_);
  }
  void start_master() {
    MasterFlags flags = testing::test_master_flags(work_dir_);
    tweak(flags);
    master_ = std::make_unique<MasterProcess>(flags);
  }
  virtual void tweak(MasterFlags&) {}

  SimulatedAgent& add_agent(const std::string& resources = "cpus:8;mem:16384;disk:100000;ports:[31000-32000]",
                            std::optional<std::string> id = std::nullopt) {
    SimulatedAgentOptions options;
    options.master = master_->url();
    options.resources = resources;
    options.hostname = "agent" + std::to_string(agents_.size());
    options.agent_id = id;
    options.update_retry = Duration::milliseconds(300);
    auto agent = std::make_unique<SimulatedAgent>(client_.loop(), options);
    client_.loop().call([&] { agent->start(); });
    SimulatedAgent& ref = *agent;
    agents_.push_back(std::move(agent));
    EXPECT_TRUE(eventually([&] { return ref.registered(); }));
    return ref;
  }

  nlohmann::json state() { return nlohmann::json::parse(client_.get(master_->url() + "/master/state").body); }
  nlohmann::json metrics() {
    return nlohmann::json::parse(client_.get(master_->url() + "/metrics/snapshot").body);
  }
  http::Response operator_call(const nlohmann::json& call) {
    return client_.post_json(master_->url() + "/api/v1", call);
  }

  std::string work_dir_;
  TestClient client_;
  std::unique_ptr<MasterProcess> master_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
};

TEST_F(MasterTest, RawFrameworkLaunchesTaskAndAcknowledgesUpdates) {
  SimulatedAgent& agent = add_agent();
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("raw")), 200);
  nlohmann::json subscribed = scheduler.wait_for("SUBSCRIBED");
  ASSERT_FALSE(subscribed.is_null());
  EXPECT_EQ(subscribed["subscribed"]["heartbeat_interval_seconds"], 15.0);
  EXPECT_EQ(subscribed["subscribed"]["master_info"]["port"], master_->port());
  EXPECT_FALSE(scheduler.stream_id().empty());

  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  const nlohmann::json& offer = offers["offers"]["offers"][0];  // nested, as Mesos writes it
  EXPECT_EQ(offer["agent_id"]["value"], *agent.agent_id());
  EXPECT_EQ(offer["hostname"], "agent0");

  http::Response accepted = scheduler.call(accept(offer["id"]["value"], {task("t1", *agent.agent_id(), 1, 128)}));
  EXPECT_EQ(accepted.status, 202) << accepted.body;

  nlohmann::json update = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(update.is_null());
  const nlohmann::json& status = update["update"]["status"];
  EXPECT_EQ(status["state"], "TASK_RUNNING");
  EXPECT_EQ(status["task_id"]["value"], "t1");
  ASSERT_TRUE(status.contains("uuid"));
  EXPECT_EQ(agent.pending_updates(), 1u);  // not acknowledged yet: the agent keeps it

  http::Response ack = scheduler.call({{"type", "ACKNOWLEDGE"},
                                       {"acknowledge",
                                        {{"agent_id", status["agent_id"]},
                                         {"task_id", status["task_id"]},
                                         {"uuid", status["uuid"]}}}});
  EXPECT_EQ(ack.status, 202) << ack.body;
  EXPECT_TRUE(eventually([&] { return agent.pending_updates() == 0 && agent.acknowledgements() == 1; }));

  nlohmann::json s = state();
  ASSERT_EQ(s["frameworks"].size(), 1u);
  ASSERT_EQ(s["frameworks"][0]["tasks"].size(), 1u);
  EXPECT_EQ(s["frameworks"][0]["tasks"][0]["state"], "TASK_RUNNING");
  EXPECT_EQ(s["frameworks"][0]["tasks"][0]["resources"]["cpus"], 1.0);
  EXPECT_EQ(metrics()["master/tasks_running"], 1.0);
  EXPECT_EQ(metrics()["master/cpus_total"], 8.0);

  // The task finishes; its resources return to the pool.
  client_.loop().call([&] { agent.send_status(scheduler.framework_id(), "t1", mesos::TaskState::kFinished); });
  nlohmann::json finished = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(finished.is_null());
  EXPECT_EQ(finished["update"]["status"]["state"], "TASK_FINISHED");
  EXPECT_TRUE(eventually([&] { return metrics()["master/tasks_finished"] == 1.0; }));
  s = state();
  EXPECT_EQ(s["frameworks"][0]["tasks"].size(), 0u);
  EXPECT_EQ(s["frameworks"][0]["completed_tasks"].size(), 1u);

  // Teardown: the agent is told, the framework is completed.
  EXPECT_EQ(scheduler.call({{"type", "TEARDOWN"}}).status, 202);
  EXPECT_TRUE(eventually([&] { return state()["completed_frameworks"].size() == 1; }));
  EXPECT_TRUE(eventually([&] { return scheduler.stream_ended(); }));
}

TEST_F(MasterTest, SchedulerApiErrorsUseMesosStatusCodes) {
  add_agent();
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("codes")), 200);
  ASSERT_FALSE(scheduler.wait_for("SUBSCRIBED").is_null());
  const std::string url = master_->url() + "/api/v1/scheduler";
  nlohmann::json revive{{"type", "REVIVE"}, {"framework_id", {{"value", scheduler.framework_id()}}}};

  EXPECT_EQ(client_.post_json(url, revive).status, 400);                      // no stream id
  EXPECT_EQ(client_.post_json(url, revive, "not-the-stream").status, 400);    // wrong stream id
  EXPECT_EQ(client_.post_json(url, revive, scheduler.stream_id()).status, 202);
  nlohmann::json unknown = revive;
  unknown["framework_id"]["value"] = "nope";
  http::Response r = client_.post_json(url, unknown, scheduler.stream_id());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not found"), std::string::npos);
  r = client_.post_json(url, {{"type", "BOGUS"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("BOGUS"), std::string::npos);

  http::Request bad;
  bad.method = "POST";
  bad.headers.set("Content-Type", "application/json");
  bad.body = "{not json";
  EXPECT_EQ(client_.send(url, bad).status, 400);
  http::Request get;
  get.method = "GET";
  EXPECT_EQ(client_.send(url, get).status, 405);
  http::Request no_type;
  no_type.method = "POST";
  no_type.body = "{}";
  EXPECT_EQ(client_.send(url, no_type).status, 400);
  http::Request html = bad;
  html.body = revive.dump();
  html.headers.set("Accept", "text/html");
  EXPECT_EQ(client_.send(url, html).status, 406);
  // SUBSCRIBE must not carry a stream id.
  nlohmann::json subscribe{{"type", "SUBSCRIBE"}, {"subscribe", {{"framework_info", framework_info("x")}}}};
  EXPECT_EQ(client_.post_json(url, subscribe, "some-id").status, 400);
}

TEST_F(MasterTest, InvalidTasksAreReportedWithMesosReasons) {
  SimulatedAgent& agent = add_agent("cpus:2;mem:1024");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("invalid")), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  std::string offer_id = offers["offers"]["offers"][0]["id"]["value"];

  // Too big for the offer, and a duplicate id in the same ACCEPT.
  scheduler.call(accept(offer_id, {task("big", *agent.agent_id(), 4, 128), task("a", *agent.agent_id(), 0.5, 64),
                                   task("a", *agent.agent_id(), 0.5, 64)}));
  std::map<std::string, nlohmann::json> by_state;
  for (int i = 0; i < 3; ++i) {
    nlohmann::json update = scheduler.wait_for("UPDATE");
    ASSERT_FALSE(update.is_null());
    const auto& status = update["update"]["status"];
    by_state[status["task_id"]["value"].get<std::string>() + "/" + status["state"].get<std::string>()] = status;
  }
  ASSERT_TRUE(by_state.count("big/TASK_ERROR"));
  EXPECT_EQ(by_state["big/TASK_ERROR"]["reason"], "REASON_TASK_INVALID");
  EXPECT_NE(by_state["big/TASK_ERROR"]["message"].get<std::string>().find("more resources"), std::string::npos);
  EXPECT_TRUE(by_state.count("a/TASK_RUNNING"));
  ASSERT_TRUE(by_state.count("a/TASK_ERROR"));
  EXPECT_NE(by_state["a/TASK_ERROR"]["message"].get<std::string>().find("duplicate ID"), std::string::npos);

  // An offer that no longer exists: the task is dropped (partition-aware).
  scheduler.call(accept(offer_id, {task("late", *agent.agent_id(), 0.1, 16)}));
  nlohmann::json dropped = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(dropped.is_null());
  EXPECT_EQ(dropped["update"]["status"]["state"], "TASK_DROPPED");
  EXPECT_EQ(dropped["update"]["status"]["reason"], "REASON_INVALID_OFFERS");
}

TEST_F(MasterTest, PartialAcceptLeavesTheRestToAnotherFrameworkInTheSameCycle) {
  // The book's figure 4.1: an 8 CPU / 16 GB agent, framework A takes part,
  // the rest goes to framework B.
  SimulatedAgent& agent = add_agent("cpus:8;mem:16384");
  RawScheduler a(client_, master_->url());
  ASSERT_EQ(a.subscribe(framework_info("A", "a")), 200);
  nlohmann::json offers = a.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  RawScheduler b(client_, master_->url());
  ASSERT_EQ(b.subscribe(framework_info("B", "b")), 200);
  ASSERT_FALSE(b.wait_for("SUBSCRIBED").is_null());

  a.call(accept(offers["offers"]["offers"][0]["id"]["value"], {task("a1", *agent.agent_id(), 2, 4096)}, 60));
  nlohmann::json rest = b.wait_for("OFFERS");
  ASSERT_FALSE(rest.is_null());
  Result<Resources> offered = Resources::from_json(rest["offers"]["offers"][0]["resources"]);
  ASSERT_TRUE(offered.ok()) << offered.error();
  EXPECT_DOUBLE_EQ(offered->cpus(), 6);
  EXPECT_DOUBLE_EQ(offered->mem(), 12288);
}

TEST_F(MasterTest, DeclineFiltersUntilRevive) {
  add_agent("cpus:4;mem:4096");
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("decliner")), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  EXPECT_EQ(scheduler.call({{"type", "DECLINE"},
                            {"decline",
                             {{"offer_ids", {offers["offers"]["offers"][0]["id"]}},
                              {"filters", {{"refuse_seconds", 3600}}}}}})
                .status,
            202);
  EXPECT_TRUE(scheduler.wait_for("OFFERS", Duration::milliseconds(500)).is_null());
  EXPECT_EQ(scheduler.call({{"type", "REVIVE"}}).status, 202);
  EXPECT_FALSE(scheduler.wait_for("OFFERS").is_null());

  EXPECT_EQ(scheduler.call({{"type", "SUPPRESS"}}).status, 202);
  EXPECT_EQ(scheduler.call({{"type", "SUPPRESS"}, {"suppress", {{"roles", {"not-mine"}}}}}).status, 400);
}

TEST_F(MasterTest, FrameworkFailoverKeepsTasksAndRedeliversUpdates) {
  SimulatedAgent& agent = add_agent();
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("failover")), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  std::string framework_id = scheduler.framework_id();
  scheduler.call(accept(offers["offers"]["offers"][0]["id"]["value"], {task("t", *agent.agent_id(), 1, 64)}));
  ASSERT_FALSE(scheduler.wait_for("UPDATE").is_null());

  // The scheduler dies without acknowledging; it comes back with its id.
  scheduler.disconnect();
  EXPECT_TRUE(eventually([&] { return metrics()["master/frameworks_disconnected"] == 1.0; }));
  nlohmann::json info = framework_info("failover");
  info["id"] = {{"value", framework_id}};
  ASSERT_EQ(scheduler.subscribe(info), 200);
  nlohmann::json subscribed = scheduler.wait_for("SUBSCRIBED");
  ASSERT_FALSE(subscribed.is_null());
  EXPECT_EQ(subscribed["subscribed"]["framework_id"]["value"], framework_id);
  // The agent's retry delivers the unacknowledged update again.
  nlohmann::json again = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(again.is_null());
  EXPECT_EQ(again["update"]["status"]["state"], "TASK_RUNNING");
  EXPECT_EQ(state()["frameworks"][0]["tasks"].size(), 1u);
  EXPECT_EQ(agent.tasks().size(), 1u);
}

TEST_F(MasterTest, ReconciliationExplicitAndImplicit) {
  SimulatedAgent& agent = add_agent();
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("reconcile")), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  scheduler.call(accept(offers["offers"]["offers"][0]["id"]["value"], {task("known", *agent.agent_id(), 1, 64)}));
  ASSERT_FALSE(scheduler.wait_for("UPDATE").is_null());

  scheduler.call({{"type", "RECONCILE"},
                  {"reconcile",
                   {{"tasks",
                     {{{"task_id", {{"value", "known"}}}},
                      {{"task_id", {{"value", "ghost"}}}, {"agent_id", {{"value", *agent.agent_id()}}}}}}}}});
  std::map<std::string, std::string> states;
  for (int i = 0; i < 2; ++i) {
    nlohmann::json update = scheduler.wait_for("UPDATE");
    ASSERT_FALSE(update.is_null());
    const auto& status = update["update"]["status"];
    EXPECT_EQ(status["reason"], "REASON_RECONCILIATION");
    EXPECT_FALSE(status.contains("uuid"));
    states[status["task_id"]["value"]] = status["state"];
  }
  EXPECT_EQ(states["known"], "TASK_RUNNING");
  EXPECT_EQ(states["ghost"], "TASK_GONE");

  scheduler.call({{"type", "RECONCILE"}, {"reconcile", nlohmann::json::object()}});
  nlohmann::json implicit = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(implicit.is_null());
  EXPECT_EQ(implicit["update"]["status"]["task_id"]["value"], "known");
}

TEST_F(MasterTest, UnreachableAgentTasksThenReregistration) {
  SimulatedAgent& agent = add_agent();
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("partition")), 200);
  nlohmann::json offers = scheduler.wait_for("OFFERS");
  ASSERT_FALSE(offers.is_null());
  scheduler.call(accept(offers["offers"]["offers"][0]["id"]["value"], {task("p", *agent.agent_id(), 1, 64)}));
  nlohmann::json running = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(running.is_null());
  scheduler.call({{"type", "ACKNOWLEDGE"},
                  {"acknowledge",
                   {{"agent_id", running["update"]["status"]["agent_id"]},
                    {"task_id", running["update"]["status"]["task_id"]},
                    {"uuid", running["update"]["status"]["uuid"]}}}});

  // The agent stops answering pings: after 3 missed pings it is unreachable.
  agent.set_answer_pings(false);
  nlohmann::json unreachable = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(unreachable.is_null());
  EXPECT_EQ(unreachable["update"]["status"]["state"], "TASK_UNREACHABLE");
  EXPECT_EQ(unreachable["update"]["status"]["reason"], "REASON_SLAVE_REMOVED");
  EXPECT_FALSE(scheduler.wait_for("FAILURE").is_null());
  EXPECT_EQ(metrics()["master/slaves_unreachable"], 1.0);

  // It comes back with the same id and its task.
  agent.set_answer_pings(true);
  client_.loop().call([&] {
    agent.disconnect();
    agent.start();
  });
  EXPECT_TRUE(eventually([&] { return agent.registered(); }));
  EXPECT_TRUE(eventually([&] { return metrics()["master/slaves_unreachable"] == 0.0; }));
  scheduler.call({{"type", "RECONCILE"},
                  {"reconcile", {{"tasks", {{{"task_id", {{"value", "p"}}}}}}}}});
  nlohmann::json back = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(back.is_null());
  EXPECT_EQ(back["update"]["status"]["state"], "TASK_RUNNING");
  EXPECT_EQ(state()["slaves"][0]["id"], *agent.agent_id());
}

TEST_F(MasterTest, OperatorApi) {
  SimulatedAgent& agent = add_agent("cpus:4;mem:4096");
  auto type_of = [](const http::Response& r) { return nlohmann::json::parse(r.body)["type"]; };
  http::Response health = operator_call({{"type", "GET_HEALTH"}});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["get_health"]["healthy"], true);
  EXPECT_EQ(type_of(operator_call({{"type", "GET_VERSION"}})), "GET_VERSION");
  nlohmann::json agents = nlohmann::json::parse(operator_call({{"type", "GET_AGENTS"}}).body);
  ASSERT_EQ(agents["get_agents"]["agents"].size(), 1u);
  EXPECT_EQ(agents["get_agents"]["agents"][0]["agent_info"]["id"]["value"], *agent.agent_id());
  nlohmann::json st = nlohmann::json::parse(operator_call({{"type", "GET_STATE"}}).body);
  EXPECT_TRUE(st["get_state"].contains("get_tasks"));
  nlohmann::json master_info = nlohmann::json::parse(operator_call({{"type", "GET_MASTER"}}).body);
  EXPECT_EQ(master_info["get_master"]["master_info"]["address"]["ip"], "127.0.0.1");
  EXPECT_EQ(master_info["get_master"]["master_info"]["ip"], 16777343u);  // 127.0.0.1, network order

  EXPECT_EQ(operator_call({{"type", "UPDATE_WEIGHTS"},
                           {"update_weights", {{"weight_infos", {{{"role", "prod"}, {"weight", 3.0}}}}}}})
                .status,
            200);
  nlohmann::json weights = nlohmann::json::parse(operator_call({{"type", "GET_WEIGHTS"}}).body);
  EXPECT_EQ(weights["get_weights"]["weight_infos"][0]["role"], "prod");
  EXPECT_EQ(operator_call({{"type", "UPDATE_WEIGHTS"},
                           {"update_weights", {{"weight_infos", {{{"role", "prod"}, {"weight", -1}}}}}}})
                .status,
            400);

  EXPECT_EQ(operator_call({{"type", "UPDATE_QUOTA"},
                           {"update_quota",
                            {{"quota_configs", {{{"role", "prod"}, {"guarantees", {{"cpus", {{"value", 1}}}}}}}}}}})
                .status,
            200);
  nlohmann::json quota = nlohmann::json::parse(operator_call({{"type", "GET_QUOTA"}}).body);
  EXPECT_EQ(quota["get_quota"]["status"]["infos"][0]["role"], "prod");

  nlohmann::json reserve{{"type", "RESERVE_RESOURCES"},
                         {"reserve_resources",
                          {{"agent_id", {{"value", *agent.agent_id()}}},
                           {"resources",
                            {{{"name", "cpus"},
                              {"type", "SCALAR"},
                              {"scalar", {{"value", 1}}},
                              {"reservations", {{{"type", "DYNAMIC"}, {"role", "prod"}, {"principal", "ops"}}}}}}}}}};
  EXPECT_EQ(operator_call(reserve).status, 202);
  EXPECT_TRUE(eventually([&] {
    return state()["slaves"][0]["reserved_resources"].contains("prod");
  }));
  nlohmann::json too_much = reserve;
  too_much["reserve_resources"]["resources"][0]["scalar"]["value"] = 100;
  EXPECT_EQ(operator_call(too_much).status, 409);

  EXPECT_EQ(operator_call({{"type", "NOPE"}}).status, 400);
  EXPECT_EQ(operator_call({{"type", "RESERVE_RESOURCES"}}).status, 400);
  EXPECT_EQ(operator_call({{"type", "GET_ROLES"}}).status, 200);
  nlohmann::json flags = nlohmann::json::parse(operator_call({{"type", "GET_FLAGS"}}).body);
  EXPECT_FALSE(flags["get_flags"]["flags"].empty());
}

TEST_F(MasterTest, ClassicEndpoints) {
  add_agent();
  for (const char* path : {"/master/state", "/state.json", "/master/state-summary", "/master/frameworks",
                           "/master/slaves", "/master/tasks", "/master/roles", "/version", "/metrics/snapshot",
                           "/master/flags"}) {
    http::Response r = client_.get(master_->url() + path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_FALSE(nlohmann::json::parse(r.body, nullptr, false).is_discarded()) << path;
  }
  EXPECT_EQ(client_.get(master_->url() + "/master/health").status, 200);
  http::Response redirect = client_.get(master_->url() + "/master/redirect");
  EXPECT_EQ(redirect.status, 307);
  EXPECT_EQ(redirect.headers.get("Location").value_or(""), "//127.0.0.1:" + std::to_string(master_->port()));
  EXPECT_EQ(client_.get(master_->url() + "/master/tasks?limit=abc").status, 400);
  EXPECT_EQ(client_.get(master_->url() + "/master/tasks?order=sideways").status, 400);
  http::Response help = client_.get(master_->url() + "/help");
  EXPECT_NE(help.body.find("/api/v1/scheduler"), std::string::npos);
  EXPECT_NE(help.body.find("/master/state-summary"), std::string::npos);
  http::Response prometheus = client_.get(master_->url() + "/metrics");
  EXPECT_NE(prometheus.body.find("master_slaves_active"), std::string::npos);
  nlohmann::json m = metrics();
  for (const char* key : {"master/elected", "master/uptime_secs", "master/slaves_active", "master/frameworks_active",
                          "master/tasks_running", "master/tasks_finished", "master/cpus_total", "master/cpus_used",
                          "master/mem_total"}) {
    EXPECT_TRUE(m.contains(key)) << key;
  }
  EXPECT_EQ(m["master/elected"], 1.0);
  EXPECT_EQ(m["master/slaves_active"], 1.0);
  http::Request teardown;
  teardown.method = "POST";
  teardown.body = "framework_id=nope";
  EXPECT_EQ(client_.send(master_->url() + "/master/teardown", teardown).status, 400);
  EXPECT_EQ(client_.get(master_->url() + "/master/teardown").status, 405);
}

TEST_F(MasterTest, RegistrySurvivesRestartAndAgentsComeBack) {
  SimulatedAgent& agent = add_agent();
  std::string agent_id = *agent.agent_id();
  ASSERT_EQ(operator_call({{"type", "UPDATE_WEIGHTS"},
                           {"update_weights", {{"weight_infos", {{{"role", "dev"}, {"weight", 2.0}}}}}}})
                .status,
            200);
  agents_.clear();
  master_.reset();
  // The registry holds the admitted agent's AgentInfo, not just its id.
  Result<std::string> registry = fs::read_file(work_dir_ + "/registry.json");
  ASSERT_TRUE(registry.ok()) << registry.error();
  nlohmann::json stored = nlohmann::json::parse(*registry);
  EXPECT_EQ(stored["agents"][agent_id]["hostname"], "agent0") << stored.dump();
  start_master();
  nlohmann::json weights = nlohmann::json::parse(operator_call({{"type", "GET_WEIGHTS"}}).body);
  ASSERT_EQ(weights["get_weights"]["weight_infos"].size(), 1u);
  EXPECT_EQ(weights["get_weights"]["weight_infos"][0]["weight"], 2.0);
  nlohmann::json agents = nlohmann::json::parse(operator_call({{"type", "GET_AGENTS"}}).body);
  EXPECT_EQ(agents["get_agents"]["recovered_agents"].size(), 1u);
  // Every write replaces the file, so an unchanged inode means no write.
  const std::filesystem::path file = work_dir_ + "/registry.json";
  auto inode = [&] {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0);
    return st.st_ino;
  };
  const ino_t before = inode();
  SimulatedAgent& back = add_agent("cpus:8;mem:16384;disk:100000;ports:[31000-32000]", agent_id);
  EXPECT_EQ(*back.agent_id(), agent_id);
  EXPECT_TRUE(eventually([&] { return metrics()["master/slaves_active"] == 1.0; }));
  // It came back exactly as admitted: re-admitting it wrote nothing.
  EXPECT_EQ(inode(), before);

  // Back with other resources: the new AgentInfo is written.
  agents_.clear();
  EXPECT_TRUE(eventually([&] { return metrics()["master/slaves_active"] == 0.0; }));
  add_agent("cpus:4;mem:8192;disk:100000;ports:[31000-32000]", agent_id);
  EXPECT_NE(inode(), before);
  stored = nlohmann::json::parse(*fs::read_file(file.string()));
  double cpus = 0;
  for (const nlohmann::json& resource : stored["agents"][agent_id]["resources"]) {
    if (resource["name"] == "cpus") cpus = resource["scalar"]["value"].get<double>();
  }
  EXPECT_EQ(cpus, 4.0) << stored.dump();
}

TEST_F(MasterTest, MaintenanceDrainsThenTakesAMachineDownAndSurvivesARestart) {
  SimulatedAgent& agent = add_agent();  // hostname agent0, ip 127.0.0.1
  add_agent();                          // agent1: not scheduled
  const std::string agent_id = *agent.agent_id();
  RawScheduler scheduler(client_, master_->url());
  ASSERT_EQ(scheduler.subscribe(framework_info("maintained")), 200);
  // Launch on agent0, without a filter, so that its rest is offered again.
  auto offer_of = [&](const std::string& wanted, bool with_unavailability) {
    for (int i = 0; i < 10; ++i) {
      nlohmann::json offers = scheduler.wait_for("OFFERS");
      if (offers.is_null()) break;
      for (const nlohmann::json& offer : offers["offers"]["offers"]) {
        if (offer["agent_id"]["value"] == wanted &&
            offer.contains("unavailability") == with_unavailability) {
          return offer;
        }
      }
    }
    return nlohmann::json();
  };
  nlohmann::json first = offer_of(agent_id, false);
  ASSERT_FALSE(first.is_null());
  ASSERT_EQ(scheduler.call(accept(first["id"]["value"], {task("t", agent_id, 1, 64)}, 0)).status,
            202);
  ASSERT_FALSE(scheduler.wait_for("UPDATE").is_null());

  auto post = [&](const std::string& path, const std::string& body) {
    return client_.send(master_->url() + path, [&] {
      http::Request request;
      request.method = "POST";
      request.body = body;
      request.headers.set("Content-Type", "application/json");
      return request;
    }());
  };
  // Bad requests change nothing and say why.
  http::Response bad = post("/master/maintenance/schedule", R"({"windows":[{"machine_ids":[]}]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("at least one machine"), std::string::npos) << bad.body;
  bad = post("/master/machine/down", R"([{"hostname":"agent0","ip":"127.0.0.1"}])");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("not in the maintenance schedule"), std::string::npos) << bad.body;
  EXPECT_EQ(post("/master/machine/down", "[]").status, 400);

  // Scheduled: agent0's machine drains; its offers now carry the window.
  const std::string schedule = R"({"windows":[{
      "machine_ids":[{"hostname":"AGENT0","ip":"127.0.0.1"}],
      "unavailability":{"start":{"nanoseconds":1700000000000000000},
                        "duration":{"nanoseconds":3600000000000}}}]})";
  http::Response posted = post("/master/maintenance/schedule", schedule);
  ASSERT_EQ(posted.status, 200) << posted.body;
  nlohmann::json status =
      nlohmann::json::parse(client_.get(master_->url() + "/master/maintenance/status").body);
  EXPECT_EQ(status,
            nlohmann::json::parse(
                R"({"draining_machines":[{"id":{"hostname":"agent0","ip":"127.0.0.1"}}]})"));
  nlohmann::json draining = offer_of(agent_id, true);
  ASSERT_FALSE(draining.is_null());
  EXPECT_EQ(draining["unavailability"]["start"]["nanoseconds"], 1700000000000000000LL);
  nlohmann::json got =
      nlohmann::json::parse(operator_call({{"type", "GET_MAINTENANCE_SCHEDULE"}}).body);
  EXPECT_EQ(got["get_maintenance_schedule"]["schedule"]["windows"][0]["machine_ids"][0]["hostname"],
            "agent0");

  // Down: the agent is told to shut down and removed; its task is gone.
  ASSERT_EQ(operator_call({{"type", "START_MAINTENANCE"},
                           {"start_maintenance",
                            {{"machines", {{{"hostname", "agent0"}, {"ip", "127.0.0.1"}}}}}}})
                .status,
            200);
  nlohmann::json gone = scheduler.wait_for("UPDATE");
  ASSERT_FALSE(gone.is_null());
  EXPECT_EQ(gone["update"]["status"]["state"], "TASK_GONE");
  EXPECT_TRUE(eventually([&] {
    for (const nlohmann::json& event : agent.events()) {
      if (event.value("type", "") == "SHUTDOWN") return true;
    }
    return false;
  }));
  EXPECT_TRUE(eventually([&] { return metrics()["master/slaves_active"] == 1.0; }));
  status = nlohmann::json::parse(operator_call({{"type", "GET_MAINTENANCE_STATUS"}}).body);
  EXPECT_EQ(status["get_maintenance_status"]["status"],
            nlohmann::json::parse(R"({"down_machines":[{"hostname":"agent0","ip":"127.0.0.1"}]})"));
  // A DOWN machine cannot leave the schedule, and its agents are refused.
  EXPECT_EQ(post("/master/maintenance/schedule", "{}").status, 400);
  SimulatedAgentOptions options;
  options.master = master_->url();
  options.hostname = "agent0";
  agents_.push_back(std::make_unique<SimulatedAgent>(client_.loop(), options));
  SimulatedAgent& refused = *agents_.back();
  client_.loop().call([&] { refused.start(); });
  EXPECT_TRUE(eventually([&] { return refused.refusal().find("403") == 0; }));
  EXPECT_NE(refused.refusal().find("DOWN for maintenance"), std::string::npos) << refused.refusal();

  // The restarted master remembers it all.
  scheduler.disconnect();
  agents_.clear();
  master_.reset();
  start_master();
  status = nlohmann::json::parse(client_.get(master_->url() + "/master/maintenance/status").body);
  EXPECT_EQ(status,
            nlohmann::json::parse(R"({"down_machines":[{"hostname":"agent0","ip":"127.0.0.1"}]})"));
  nlohmann::json agents = nlohmann::json::parse(operator_call({{"type", "GET_AGENTS"}}).body);
  EXPECT_EQ(agents["get_agents"].value("recovered_agents", nlohmann::json::array()).size(), 1u)
      << "only agent1 is still admitted: " << agents.dump();

  // Up: the machine leaves the schedule and its agent registers again.
  ASSERT_EQ(post("/master/machine/up", R"([{"hostname":"agent0","ip":"127.0.0.1"}])").status, 200);
  EXPECT_EQ(client_.get(master_->url() + "/master/maintenance/schedule").body, "{}");
  options.master = master_->url();  // the restarted master's
  agents_.push_back(std::make_unique<SimulatedAgent>(client_.loop(), options));
  SimulatedAgent& back = *agents_.back();
  client_.loop().call([&] { back.start(); });
  EXPECT_TRUE(eventually([&] { return back.registered(); }));
}

}  // namespace
}  // namespace cairn::master
