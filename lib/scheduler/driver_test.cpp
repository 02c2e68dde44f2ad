#include "lib/scheduler/driver.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <tuple>

#include "lib/base/base64.hpp"
#include "lib/scheduler/testing/fake_master.hpp"

namespace cairn::scheduler {
namespace {

using nlohmann::json;
using testing::FakeMaster;
using testing::ReceivedCall;

// Bounded polling: never asserts on elapsed time, only gives up after 10 s.
bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

// Records every callback; hooks let a test act inside one.
class Recorder : public Scheduler {
 public:
  struct State {
    int registered = 0;
    int reregistered = 0;
    int disconnected = 0;
    std::string framework_id;
    json master_info;
    std::vector<json> offers;
    std::vector<std::string> rescinded;
    std::vector<json> updates;
    std::vector<std::tuple<std::string, std::string, std::string>> messages;
    std::vector<std::string> agents_lost;
    std::vector<std::tuple<std::string, std::string, int>> executors_lost;
    std::vector<std::string> errors;
    DriverStatus status_in_error = DriverStatus::kNotStarted;
  };

  std::function<void(SchedulerDriver&, const std::vector<json>&)> on_offers;
  std::function<void(SchedulerDriver&, const json&)> on_update;

  template <typename F>
  decltype(auto) read(F&& f) {
    std::lock_guard lock(mutex_);
    return f(static_cast<const State&>(state_));
  }

  void registered(SchedulerDriver&, const std::string& framework_id,
                  const json& master_info) override {
    std::lock_guard lock(mutex_);
    ++state_.registered;
    state_.framework_id = framework_id;
    state_.master_info = master_info;
  }
  void reregistered(SchedulerDriver&, const json& master_info) override {
    std::lock_guard lock(mutex_);
    ++state_.reregistered;
    state_.master_info = master_info;
  }
  void disconnected(SchedulerDriver&) override {
    std::lock_guard lock(mutex_);
    ++state_.disconnected;
  }
  void resource_offers(SchedulerDriver& driver, const std::vector<json>& offers) override {
    {
      std::lock_guard lock(mutex_);
      state_.offers.insert(state_.offers.end(), offers.begin(), offers.end());
    }
    if (on_offers) on_offers(driver, offers);
  }
  void offer_rescinded(SchedulerDriver&, const std::string& offer_id) override {
    std::lock_guard lock(mutex_);
    state_.rescinded.push_back(offer_id);
  }
  void status_update(SchedulerDriver& driver, const json& status) override {
    {
      std::lock_guard lock(mutex_);
      state_.updates.push_back(status);
    }
    if (on_update) on_update(driver, status);
  }
  void framework_message(SchedulerDriver&, const std::string& executor_id,
                         const std::string& agent_id, const std::string& data) override {
    std::lock_guard lock(mutex_);
    state_.messages.emplace_back(executor_id, agent_id, data);
  }
  void agent_lost(SchedulerDriver&, const std::string& agent_id) override {
    std::lock_guard lock(mutex_);
    state_.agents_lost.push_back(agent_id);
  }
  void executor_lost(SchedulerDriver&, const std::string& executor_id, const std::string& agent_id,
                     int status) override {
    std::lock_guard lock(mutex_);
    state_.executors_lost.emplace_back(executor_id, agent_id, status);
  }
  void error(SchedulerDriver& driver, const std::string& message) override {
    std::lock_guard lock(mutex_);
    state_.errors.push_back(message);
    state_.status_in_error = driver.status();
  }

 private:
  std::mutex mutex_;
  State state_;
};

json framework_info() {
  return {{"user", "root"},
          {"name", "sdk-test"},
          {"roles", {"web"}},
          {"capabilities", json::array({{{"type", "MULTI_ROLE"}}})},
          {"failover_timeout", 600.0}};
}

DriverOptions options_for(const FakeMaster& master) {
  DriverOptions options;
  options.master = master.address();
  options.initial_backoff = Duration::milliseconds(20);
  options.max_backoff = Duration::milliseconds(200);
  return options;
}

json offer(const std::string& id) {
  return {
      {"id", {{"value", id}}},
      {"framework_id", {{"value", "fw-1"}}},
      {"agent_id", {{"value", "agent-1"}}},
      {"hostname", "node1"},
      {"resources",
       json::array(
           {{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 4}}}, {"role", "*"}}})}};
}

json offers_event(const std::vector<json>& offers) {
  return {{"type", "OFFERS"}, {"offers", {{"offers", offers}}}};
}

json task_info(const std::string& id) {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", {{"value", "agent-1"}}},
          {"resources",
           json::array({{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 1}}}}})},
          {"command", {{"value", "sleep 100"}}}};
}

json task_status(const std::string& task, const std::string& state, const std::string& uuid = "") {
  json status{{"task_id", {{"value", task}}},
              {"agent_id", {{"value", "agent-1"}}},
              {"state", state},
              {"source", "SOURCE_EXECUTOR"},
              {"timestamp", 1700000000.5}};
  if (!uuid.empty()) status["uuid"] = uuid;
  return status;
}

json update_event(const json& status) {
  return {{"type", "UPDATE"}, {"update", {{"status", status}}}};
}

// A driver subscribed to a fake master, ready for a test to act.
struct Connected {
  explicit Connected(bool implicit_acks = true, std::string framework_id = "fw-1")
      : master(std::move(framework_id)) {
    EXPECT_TRUE(master.ok()) << master.error();
    DriverOptions options = options_for(master);
    options.implicit_acknowledgements = implicit_acks;
    driver = std::make_unique<SchedulerDriver>(scheduler, framework_info(), options);
  }

  // True once registered.
  bool start() {
    return driver->start() == DriverStatus::kRunning &&
           eventually([&] { return registrations() == 1; });
  }

  int registrations() {
    return scheduler.read([](const Recorder::State& s) { return s.registered; });
  }

  // Waits for the n-th call of `type` and returns it.
  ReceivedCall wait_for_call(const std::string& type, size_t n = 1) {
    std::vector<ReceivedCall> seen;
    EXPECT_TRUE(eventually([&] {
      seen = master.calls_of(type);
      return seen.size() >= n;
    })) << "no "
        << type << " call #" << n;
    return seen.size() >= n ? seen[n - 1] : ReceivedCall{};
  }

  FakeMaster master;
  Recorder scheduler;
  std::unique_ptr<SchedulerDriver> driver;
};

TEST(SchedulerDriver, SubscribesAndRegisters) {
  Connected c;
  ASSERT_TRUE(c.start());
  c.scheduler.read([&](const Recorder::State& s) {
    EXPECT_EQ(s.framework_id, "fw-1");
    EXPECT_EQ(s.master_info["port"], c.master.port());
    EXPECT_EQ(s.reregistered, 0);
  });
  ReceivedCall subscribe = c.wait_for_call("SUBSCRIBE");
  EXPECT_EQ(subscribe.content_type, "application/json");
  EXPECT_EQ(subscribe.accept, "application/json");
  EXPECT_EQ(subscribe.stream_id, "");
  EXPECT_EQ(subscribe.path, "/api/v1/scheduler");
  EXPECT_EQ(subscribe.body["subscribe"]["framework_info"], framework_info());
  EXPECT_EQ(c.driver->status(), DriverStatus::kRunning);
}

TEST(SchedulerDriver, LaunchTasksSendsAccept) {
  Connected c;
  c.scheduler.on_offers = [](SchedulerDriver& driver, const std::vector<json>& offers) {
    EXPECT_EQ(driver.launch_tasks({offers[0]["id"]["value"].get<std::string>()},
                                  {task_info("t1"), task_info("t2")}),
              DriverStatus::kRunning);
  };
  ASSERT_TRUE(c.start());
  ASSERT_TRUE(c.master.send(offers_event({offer("o1")})));
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.offers.size() == 1; }); }));
  c.scheduler.read([](const Recorder::State& s) { EXPECT_EQ(s.offers[0], offer("o1")); });
  ReceivedCall accept = c.wait_for_call("ACCEPT");
  EXPECT_EQ(accept.status, 202);
  EXPECT_EQ(accept.stream_id, c.master.stream_id());
  EXPECT_EQ(accept.content_type, "application/json");
  EXPECT_EQ(accept.body["framework_id"], json::parse(R"({"value":"fw-1"})"));
  EXPECT_EQ(accept.body["accept"]["offer_ids"], json::parse(R"([{"value":"o1"}])"));
  EXPECT_EQ(accept.body["accept"]["operations"],
            json::array({{{"type", "LAUNCH"},
                          {"launch", {{"task_infos", {task_info("t1"), task_info("t2")}}}}}}));
  EXPECT_FALSE(accept.body["accept"].contains("filters"));
}

TEST(SchedulerDriver, AcceptOffersPassesOperationsAndFilters) {
  Connected c;
  ASSERT_TRUE(c.start());
  json operations = json::array(
      {{{"type", "RESERVE"},
        {"reserve",
         {{"resources", json::array({{{"name", "cpus"},
                                      {"type", "SCALAR"},
                                      {"scalar", {{"value", 1}}},
                                      {"reservations", json::array({{{"type", "DYNAMIC"},
                                                                     {"role", "web"}}})}}})}}}},
       {{"type", "LAUNCH"}, {"launch", {{"task_infos", {task_info("t1")}}}}}});
  EXPECT_EQ(c.driver->accept_offers({"o1", "o2"}, operations, {{"refuse_seconds", 30}}),
            DriverStatus::kRunning);
  ReceivedCall accept = c.wait_for_call("ACCEPT");
  EXPECT_EQ(accept.status, 202);
  EXPECT_EQ(accept.body["accept"]["operations"], operations);
  EXPECT_EQ(accept.body["accept"]["filters"], json::parse(R"({"refuse_seconds":30})"));
  EXPECT_EQ(accept.body["accept"]["offer_ids"].size(), 2u);
}

TEST(SchedulerDriver, AcknowledgesUpdatesImplicitly) {
  Connected c;
  ASSERT_TRUE(c.start());
  const std::string uuid1 = base64::encode("0123456789abcdef");
  const std::string uuid2 = base64::encode("fedcba9876543210");
  // From the master (reconciliation): no uuid, nothing to acknowledge.
  ASSERT_TRUE(c.master.send(update_event(task_status("t0", "TASK_LOST"))));
  ASSERT_TRUE(c.master.send(update_event(task_status("t1", "TASK_RUNNING", uuid1))));
  ASSERT_TRUE(c.master.send(update_event(task_status("t2", "TASK_FINISHED", uuid2))));
  ReceivedCall second = c.wait_for_call("ACKNOWLEDGE", 2);
  auto acks = c.master.calls_of("ACKNOWLEDGE");
  ASSERT_EQ(acks.size(), 2u);
  std::vector<json> bodies{acks[0].body["acknowledge"], acks[1].body["acknowledge"]};
  json first_expected{
      {"agent_id", {{"value", "agent-1"}}}, {"task_id", {{"value", "t1"}}}, {"uuid", uuid1}};
  json second_expected{
      {"agent_id", {{"value", "agent-1"}}}, {"task_id", {{"value", "t2"}}}, {"uuid", uuid2}};
  EXPECT_TRUE(std::find(bodies.begin(), bodies.end(), first_expected) != bodies.end());
  EXPECT_TRUE(std::find(bodies.begin(), bodies.end(), second_expected) != bodies.end());
  EXPECT_EQ(second.stream_id, c.master.stream_id());
  EXPECT_EQ(second.status, 202);
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.updates.size(), 3u);
    EXPECT_EQ(s.updates[0]["state"], "TASK_LOST");
    EXPECT_EQ(s.updates[1]["uuid"], base64::encode("0123456789abcdef"));
  });
}

TEST(SchedulerDriver, ExplicitAcknowledgements) {
  Connected c(/*implicit_acks=*/false);
  ASSERT_TRUE(c.start());
  const std::string uuid = base64::encode("0123456789abcdef");
  const json status = task_status("t1", "TASK_RUNNING", uuid);
  ASSERT_TRUE(c.master.send(update_event(status)));
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.updates.size() == 1; }); }));
  // Nothing acknowledged by the driver itself: a later call overtakes nothing.
  EXPECT_EQ(c.driver->revive_offers(), DriverStatus::kRunning);
  c.wait_for_call("REVIVE");
  EXPECT_TRUE(c.master.calls_of("ACKNOWLEDGE").empty());

  // Without a uuid there is nothing to acknowledge.
  EXPECT_EQ(c.driver->acknowledge_status_update(task_status("t1", "TASK_LOST")),
            DriverStatus::kRunning);
  EXPECT_EQ(c.driver->acknowledge_status_update(status), DriverStatus::kRunning);
  ReceivedCall ack = c.wait_for_call("ACKNOWLEDGE");
  EXPECT_EQ(ack.body["acknowledge"], json::parse(R"({"agent_id":{"value":"agent-1"},
      "task_id":{"value":"t1"},"uuid":")" + uuid +
                                                 R"("})"));
  EXPECT_EQ(c.driver->suppress_offers(), DriverStatus::kRunning);
  c.wait_for_call("SUPPRESS");
  EXPECT_EQ(c.master.calls_of("ACKNOWLEDGE").size(), 1u);
}

TEST(SchedulerDriver, DeclinesWithFilters) {
  Connected c;
  c.scheduler.on_offers = [](SchedulerDriver& driver, const std::vector<json>& offers) {
    for (const auto& o : offers)
      driver.decline_offer(o["id"]["value"].get<std::string>(), {{"refuse_seconds", 120}});
  };
  ASSERT_TRUE(c.start());
  ASSERT_TRUE(c.master.send(offers_event({offer("o1")})));
  ReceivedCall decline = c.wait_for_call("DECLINE");
  EXPECT_EQ(decline.status, 202);
  EXPECT_EQ(decline.body, json::parse(R"({"type":"DECLINE","framework_id":{"value":"fw-1"},
      "decline":{"offer_ids":[{"value":"o1"}],"filters":{"refuse_seconds":120}}})"));
}

TEST(SchedulerDriver, ReviveAndSuppressShapes) {
  Connected c;
  ASSERT_TRUE(c.start());
  c.driver->revive_offers({"web"});
  ReceivedCall revive = c.wait_for_call("REVIVE");
  EXPECT_EQ(revive.body, json::parse(R"({"type":"REVIVE","framework_id":{"value":"fw-1"},
      "revive":{"roles":["web"]}})"));
  c.driver->suppress_offers({"web", "batch"});
  ReceivedCall suppress = c.wait_for_call("SUPPRESS");
  EXPECT_EQ(suppress.body["suppress"], json::parse(R"({"roles":["web","batch"]})"));
  c.driver->revive_offers();
  ReceivedCall all = c.wait_for_call("REVIVE", 2);
  EXPECT_EQ(all.body, json::parse(R"({"type":"REVIVE","framework_id":{"value":"fw-1"}})"));
  EXPECT_EQ(all.status, 202);
}

TEST(SchedulerDriver, KillsAndReconciles) {
  Connected c;
  ASSERT_TRUE(c.start());
  c.driver->kill_task("t1", std::string("agent-1"));
  ReceivedCall kill = c.wait_for_call("KILL");
  EXPECT_EQ(kill.body["kill"], json::parse(R"({"task_id":{"value":"t1"},
      "agent_id":{"value":"agent-1"}})"));
  c.driver->kill_task("t2");
  EXPECT_EQ(c.wait_for_call("KILL", 2).body["kill"], json::parse(R"({"task_id":{"value":"t2"}})"));

  c.driver->reconcile_tasks({});
  ReceivedCall implicit = c.wait_for_call("RECONCILE");
  EXPECT_EQ(implicit.body["reconcile"], json::object());
  EXPECT_EQ(implicit.status, 202);
  c.driver->reconcile_tasks({task_status("t1", "TASK_RUNNING"), task_status("t2", "TASK_STAGING")});
  ReceivedCall explicit_call = c.wait_for_call("RECONCILE", 2);
  EXPECT_EQ(explicit_call.body["reconcile"], json::parse(R"({"tasks":[
      {"task_id":{"value":"t1"},"agent_id":{"value":"agent-1"}},
      {"task_id":{"value":"t2"},"agent_id":{"value":"agent-1"}}]})"));
}

TEST(SchedulerDriver, FrameworkMessagesBothWays) {
  Connected c;
  ASSERT_TRUE(c.start());
  const std::string bytes("ping\0\xff\x01", 7);
  c.driver->send_framework_message("exec-1", "agent-1", bytes);
  ReceivedCall message = c.wait_for_call("MESSAGE");
  EXPECT_EQ(message.body["message"]["executor_id"], json::parse(R"({"value":"exec-1"})"));
  EXPECT_EQ(message.body["message"]["agent_id"], json::parse(R"({"value":"agent-1"})"));
  EXPECT_EQ(message.body["message"]["data"], base64::encode(bytes));

  ASSERT_TRUE(c.master.send({{"type", "MESSAGE"},
                             {"message",
                              {{"agent_id", {{"value", "agent-1"}}},
                               {"executor_id", {{"value", "exec-1"}}},
                               {"data", base64::encode(std::string("pong\0", 5))}}}}));
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.messages.size() == 1; }); }));
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.messages[0], std::make_tuple(std::string("exec-1"), std::string("agent-1"),
                                             std::string("pong\0", 5)));
  });
}

TEST(SchedulerDriver, RescindAndFailures) {
  Connected c;
  ASSERT_TRUE(c.start());
  ASSERT_TRUE(c.master.send({{"type", "RESCIND"}, {"rescind", {{"offer_id", {{"value", "o9"}}}}}}));
  ASSERT_TRUE(c.master.send({{"type", "FAILURE"}, {"failure", {{"agent_id", {{"value", "a1"}}}}}}));
  ASSERT_TRUE(c.master.send(
      {{"type", "FAILURE"},
       {"failure",
        {{"agent_id", {{"value", "a2"}}}, {"executor_id", {{"value", "e2"}}}, {"status", 9}}}}));
  ASSERT_TRUE(c.master.send({{"type", "HEARTBEAT"}}));
  ASSERT_TRUE(c.master.send({{"type", "INVERSE_OFFERS"}, {"inverse_offers", json::object()}}));
  ASSERT_TRUE(eventually([&] {
    return c.scheduler.read([](const auto& s) { return s.executors_lost.size() == 1; });
  }));
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.rescinded, std::vector<std::string>{"o9"});
    EXPECT_EQ(s.agents_lost, std::vector<std::string>{"a1"});
    EXPECT_EQ(s.executors_lost[0], std::make_tuple(std::string("e2"), std::string("a2"), 9));
    EXPECT_EQ(s.disconnected, 0);
    EXPECT_TRUE(s.errors.empty());
  });
}

TEST(SchedulerDriver, StopWithoutFailoverTearsDown) {
  Connected c;
  ASSERT_TRUE(c.start());
  EXPECT_EQ(c.driver->stop(), DriverStatus::kStopped);
  EXPECT_EQ(c.driver->join(), DriverStatus::kStopped);
  // join() returns once TEARDOWN was answered.
  auto teardowns = c.master.calls_of("TEARDOWN");
  ASSERT_EQ(teardowns.size(), 1u);
  EXPECT_EQ(teardowns[0].body,
            json::parse(R"({"type":"TEARDOWN","framework_id":{"value":"fw-1"}})"));
  EXPECT_EQ(teardowns[0].status, 202);
  EXPECT_TRUE(eventually([&] { return !c.master.streaming(); }));
  // A stopped driver does nothing more.
  EXPECT_EQ(c.driver->revive_offers(), DriverStatus::kStopped);
  EXPECT_EQ(c.driver->start(), DriverStatus::kStopped);
  c.scheduler.read([](const Recorder::State& s) { EXPECT_EQ(s.disconnected, 0); });
}

TEST(SchedulerDriver, StopForFailoverOnlyDisconnects) {
  Connected c;
  ASSERT_TRUE(c.start());
  EXPECT_EQ(c.driver->stop(/*failover=*/true), DriverStatus::kStopped);
  EXPECT_EQ(c.driver->join(), DriverStatus::kStopped);
  EXPECT_TRUE(eventually([&] { return !c.master.streaming(); }));
  EXPECT_TRUE(c.master.calls_of("TEARDOWN").empty());
  EXPECT_EQ(c.master.subscriptions(), 1);

  // A new scheduler instance fails over to the same framework id.
  Recorder second;
  json info = framework_info();
  info["id"] = {{"value", "fw-1"}};
  SchedulerDriver failover(second, info, options_for(c.master));
  ASSERT_EQ(failover.start(), DriverStatus::kRunning);
  ASSERT_TRUE(
      eventually([&] { return second.read([](const auto& s) { return s.registered; }) == 1; }));
  EXPECT_EQ(c.wait_for_call("SUBSCRIBE", 2).body["subscribe"]["framework_info"]["id"]["value"],
            "fw-1");
}

TEST(SchedulerDriver, ResubscribesWhenTheStreamEnds) {
  Connected c;
  ASSERT_TRUE(c.start());
  c.master.close_stream();
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.reregistered; }) == 1; }));
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.disconnected, 1);
    EXPECT_EQ(s.registered, 1);
  });
  ReceivedCall again = c.wait_for_call("SUBSCRIBE", 2);
  EXPECT_EQ(again.body["subscribe"]["framework_info"]["id"], json::parse(R"({"value":"fw-1"})"));
  EXPECT_EQ(again.stream_id, "");
  // Calls use the new stream id.
  c.driver->revive_offers();
  ReceivedCall revive = c.wait_for_call("REVIVE");
  EXPECT_EQ(revive.stream_id, c.master.stream_id());
  EXPECT_EQ(revive.status, 202);
}

TEST(SchedulerDriver, SurvivesAMasterRestart) {
  auto master = std::make_unique<FakeMaster>("fw-1");
  ASSERT_TRUE(master->ok());
  const uint16_t port = master->port();
  Recorder scheduler;
  SchedulerDriver driver(scheduler, framework_info(), options_for(*master));
  ASSERT_EQ(driver.start(), DriverStatus::kRunning);
  ASSERT_TRUE(
      eventually([&] { return scheduler.read([](const auto& s) { return s.registered; }) == 1; }));
  master.reset();
  ASSERT_TRUE(eventually(
      [&] { return scheduler.read([](const auto& s) { return s.disconnected; }) == 1; }));
  // The driver keeps retrying the dead address until a master is back there.
  for (int i = 0; i < 100 && !(master && master->ok()); ++i) {
    master = std::make_unique<FakeMaster>("fresh-id", port);
    if (!master->ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(master->ok()) << master->error();
  ASSERT_TRUE(eventually(
      [&] { return scheduler.read([](const auto& s) { return s.reregistered; }) == 1; }));
  auto subscribes = master->calls_of("SUBSCRIBE");
  ASSERT_FALSE(subscribes.empty());
  EXPECT_EQ(subscribes.back().body["subscribe"]["framework_info"]["id"]["value"], "fw-1");
}

TEST(SchedulerDriver, FollowsRedirectToTheLeader) {
  FakeMaster follower("wrong");
  FakeMaster leader("fw-leader");
  ASSERT_TRUE(follower.ok() && leader.ok());
  // Mesos writes the Location scheme-relative.
  follower.redirect_to("//127.0.0.1:" + std::to_string(leader.port()) + "/master/api/v1/scheduler");
  Recorder scheduler;
  SchedulerDriver driver(scheduler, framework_info(), options_for(follower));
  ASSERT_EQ(driver.start(), DriverStatus::kRunning);
  ASSERT_TRUE(
      eventually([&] { return scheduler.read([](const auto& s) { return s.registered; }) == 1; }));
  scheduler.read([](const Recorder::State& s) { EXPECT_EQ(s.framework_id, "fw-leader"); });
  EXPECT_TRUE(follower.calls().empty());
  ASSERT_EQ(leader.calls_of("SUBSCRIBE").size(), 1u);
  EXPECT_EQ(leader.calls_of("SUBSCRIBE")[0].path, "/master/api/v1/scheduler");

  // Calls go to the leader too; a redirected call is followed.
  driver.revive_offers();
  ASSERT_TRUE(eventually([&] { return leader.calls_of("REVIVE").size() == 1; }));
  leader.redirect_next_call("/api/v1/scheduler");
  driver.suppress_offers();
  ASSERT_TRUE(eventually([&] { return leader.calls_of("SUPPRESS").size() == 2; }));
  auto suppress = leader.calls_of("SUPPRESS");
  EXPECT_EQ(suppress[0].status, 307);
  EXPECT_EQ(suppress[1].status, 202);
  EXPECT_EQ(suppress[1].path, "/api/v1/scheduler");
  EXPECT_EQ(suppress[1].stream_id, leader.stream_id());
}

TEST(SchedulerDriver, ErrorEventAbortsTheDriver) {
  Connected c;
  ASSERT_TRUE(c.start());
  ASSERT_TRUE(
      c.master.send({{"type", "ERROR"}, {"error", {{"message", "Framework has been removed"}}}}));
  EXPECT_EQ(c.driver->join(), DriverStatus::kAborted);
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.errors, std::vector<std::string>{"Framework has been removed"});
    EXPECT_EQ(s.status_in_error, DriverStatus::kAborted);
    EXPECT_EQ(s.disconnected, 0);
  });
  EXPECT_EQ(c.driver->status(), DriverStatus::kAborted);
  EXPECT_EQ(c.driver->revive_offers(), DriverStatus::kAborted);
  EXPECT_EQ(c.driver->abort(), DriverStatus::kAborted);
  // stop() after an abort reports the abort, as Mesos' driver does.
  EXPECT_EQ(c.driver->stop(), DriverStatus::kAborted);
  EXPECT_EQ(c.driver->join(), DriverStatus::kStopped);
  EXPECT_TRUE(c.master.calls_of("TEARDOWN").empty());
}

TEST(SchedulerDriver, AbortDisconnectsWithoutTeardown) {
  Connected c;
  ASSERT_TRUE(c.start());
  EXPECT_EQ(c.driver->abort(), DriverStatus::kAborted);
  EXPECT_EQ(c.driver->join(), DriverStatus::kAborted);
  EXPECT_TRUE(eventually([&] { return !c.master.streaming(); }));
  EXPECT_TRUE(c.master.calls_of("TEARDOWN").empty());
  c.scheduler.read([](const Recorder::State& s) { EXPECT_TRUE(s.errors.empty()); });
}

TEST(SchedulerDriver, SilentMasterTripsTheHeartbeatWatchdog) {
  Connected c;
  c.master.set_heartbeat_interval(0.2);
  ASSERT_TRUE(c.start());
  // No heartbeats follow: after 5 intervals the driver gives up on the stream.
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.reregistered; }) >= 1; }));
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_GE(s.disconnected, 1);
    EXPECT_EQ(s.registered, 1);
  });
  EXPECT_GE(c.master.subscriptions(), 2);
}

TEST(SchedulerDriver, RefusedCallsAreReportedWithoutAborting) {
  Connected c;
  ASSERT_TRUE(c.start());
  c.master.set_call_status(400, "Failed to validate scheduler::Call: bad");
  c.driver->revive_offers();
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.errors.size() == 1; }); }));
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.errors[0],
              "REVIVE call failed: 400 Bad Request: Failed to validate "
              "scheduler::Call: bad");
    EXPECT_EQ(s.status_in_error, DriverStatus::kRunning);
  });
  EXPECT_EQ(c.driver->status(), DriverStatus::kRunning);

  // 403: the master forgot the subscription; the driver subscribes again.
  c.master.set_call_status(403, "Framework is not subscribed");
  c.driver->revive_offers();
  ASSERT_TRUE(eventually(
      [&] { return c.scheduler.read([](const auto& s) { return s.reregistered; }) == 1; }));
  c.scheduler.read([](const Recorder::State& s) {
    EXPECT_EQ(s.errors.size(), 1u);
    EXPECT_EQ(s.disconnected, 1);
  });
  c.master.set_call_status(0);
  c.driver->revive_offers();
  EXPECT_EQ(c.wait_for_call("REVIVE", 3).status, 202);
}

TEST(SchedulerDriver, TasksLaunchedWhileUnsubscribedAreLost) {
  FakeMaster master;
  ASSERT_TRUE(master.ok());
  master.set_subscribe_status(503, "Master is recovering");
  Recorder scheduler;
  SchedulerDriver driver(scheduler, framework_info(), options_for(master));
  ASSERT_EQ(driver.start(), DriverStatus::kRunning);
  ASSERT_TRUE(eventually([&] { return master.calls_of("SUBSCRIBE").size() >= 2; }));
  driver.launch_tasks({"o1"}, {task_info("t1")});
  ASSERT_TRUE(eventually(
      [&] { return scheduler.read([](const auto& s) { return s.updates.size() == 1; }); }));
  scheduler.read([](const Recorder::State& s) {
    const json& lost = s.updates[0];
    EXPECT_EQ(lost["task_id"]["value"], "t1");
    EXPECT_EQ(lost["agent_id"]["value"], "agent-1");
    EXPECT_EQ(lost["state"], "TASK_LOST");
    EXPECT_EQ(lost["reason"], "REASON_MASTER_DISCONNECTED");
    EXPECT_FALSE(lost.contains("uuid"));
    EXPECT_EQ(s.registered, 0);
    EXPECT_TRUE(s.errors.empty());
  });
  EXPECT_TRUE(master.calls_of("ACCEPT").empty());
  // Once the master is ready the driver subscribes by itself.
  master.set_subscribe_status(0);
  ASSERT_TRUE(
      eventually([&] { return scheduler.read([](const auto& s) { return s.registered; }) == 1; }));
}

TEST(SchedulerDriver, RefusedSubscriptionAborts) {
  FakeMaster master;
  ASSERT_TRUE(master.ok());
  master.set_subscribe_status(403, "Not authorized to register as role 'web'");
  Recorder scheduler;
  SchedulerDriver driver(scheduler, framework_info(), options_for(master));
  EXPECT_EQ(driver.run(), DriverStatus::kAborted);
  scheduler.read([](const Recorder::State& s) {
    ASSERT_EQ(s.errors.size(), 1u);
    EXPECT_NE(s.errors[0].find("403 Forbidden: Not authorized"), std::string::npos) << s.errors[0];
  });
}

TEST(SchedulerDriver, BadMasterAbortsOnStart) {
  Recorder scheduler;
  DriverOptions options;
  options.master = "zk://zk1:2181";  // no path for the election nodes
  SchedulerDriver driver(scheduler, framework_info(), options);
  EXPECT_EQ(driver.start(), DriverStatus::kAborted);
  EXPECT_EQ(driver.join(), DriverStatus::kAborted);
  scheduler.read([](const Recorder::State& s) {
    ASSERT_EQ(s.errors.size(), 1u);
    EXPECT_NE(s.errors[0].find("zk://"), std::string::npos);
  });
}

TEST(SchedulerDriver, RunsOnAGivenLoopWithCredentials) {
  FakeMaster master("fw-9");
  ASSERT_TRUE(master.ok());
  EventLoop loop;
  loop.start_thread();
  {
    Recorder scheduler;
    DriverOptions options = options_for(master);
    options.master = "http://" + master.address();
    options.loop = &loop;
    options.principal = "ops";
    options.secret = "s3cret";
    SchedulerDriver driver(scheduler, framework_info(), options);
    EXPECT_EQ(driver.status(), DriverStatus::kNotStarted);
    EXPECT_EQ(driver.join(), DriverStatus::kNotStarted);
    EXPECT_EQ(driver.revive_offers(), DriverStatus::kNotStarted);
    ASSERT_EQ(driver.start(), DriverStatus::kRunning);
    ASSERT_TRUE(eventually(
        [&] { return scheduler.read([](const auto& s) { return s.registered; }) == 1; }));
    EXPECT_EQ(master.calls_of("SUBSCRIBE")[0].authorization,
              "Basic " + base64::encode("ops:s3cret"));
    // Destroyed while running: disconnects, no TEARDOWN, no callback later.
  }
  EXPECT_TRUE(eventually([&] { return !master.streaming(); }));
  EXPECT_TRUE(master.calls_of("TEARDOWN").empty());
  loop.stop();
  loop.join();
}

}  // namespace
}  // namespace cairn::scheduler
