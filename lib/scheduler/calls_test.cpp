#include "lib/scheduler/calls.hpp"

#include <gtest/gtest.h>

#include "lib/mesos/scheduler_call.hpp"

namespace cairn::scheduler {
namespace {

using nlohmann::json;

// Whatever the SDK sends, the master's own parser must accept.
void expect_master_accepts(const json& call) {
  auto parsed = mesos::scheduler_call_from_json(call);
  EXPECT_TRUE(parsed.ok()) << call.dump() << ": " << parsed.error();
}

json task_info(const std::string& id) {
  return {{"name", id},
          {"task_id", {{"value", id}}},
          {"agent_id", {{"value", "a1"}}},
          {"resources",
           json::array({{{"name", "cpus"}, {"type", "SCALAR"}, {"scalar", {{"value", 0.5}}}}})},
          {"command", {{"value", "sleep 10"}}}};
}

TEST(Calls, Subscribe) {
  json info{{"user", "root"}, {"name", "f"}};
  json call = calls::subscribe(info);
  EXPECT_EQ(call, json::parse(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":
      {"user":"root","name":"f"}}})"));
  expect_master_accepts(call);
  info["id"] = {{"value", "fw"}};
  expect_master_accepts(calls::subscribe(info));
}

TEST(Calls, AcceptWithLaunch) {
  json call =
      calls::accept("fw", {"o1", "o2"}, json::array({calls::launch_operation({task_info("t1")})}),
                    {{"refuse_seconds", 2}});
  EXPECT_EQ(call["type"], "ACCEPT");
  EXPECT_EQ(call["framework_id"], json::parse(R"({"value":"fw"})"));
  EXPECT_EQ(call["accept"]["offer_ids"], json::parse(R"([{"value":"o1"},{"value":"o2"}])"));
  EXPECT_EQ(call["accept"]["operations"][0]["type"], "LAUNCH");
  EXPECT_EQ(call["accept"]["operations"][0]["launch"]["task_infos"][0], task_info("t1"));
  EXPECT_EQ(call["accept"]["filters"], json::parse(R"({"refuse_seconds":2})"));
  expect_master_accepts(call);
  // No filters, no operations: nothing written for them.
  json bare = calls::accept("fw", {"o1"}, json::array());
  EXPECT_FALSE(bare["accept"].contains("filters"));
  EXPECT_FALSE(bare["accept"].contains("operations"));
  expect_master_accepts(bare);
}

TEST(Calls, DeclineReviveSuppress) {
  json decline = calls::decline("fw", {"o1"}, {{"refuse_seconds", 60}});
  EXPECT_EQ(decline, json::parse(R"({"type":"DECLINE","framework_id":{"value":"fw"},
      "decline":{"offer_ids":[{"value":"o1"}],"filters":{"refuse_seconds":60}}})"));
  expect_master_accepts(decline);
  EXPECT_FALSE(calls::decline("fw", {"o1"}, json::object())["decline"].contains("filters"));

  json revive = calls::revive("fw", {"web", "batch"});
  EXPECT_EQ(revive, json::parse(R"({"type":"REVIVE","framework_id":{"value":"fw"},
      "revive":{"roles":["web","batch"]}})"));
  expect_master_accepts(revive);
  EXPECT_EQ(calls::revive("fw"), json::parse(R"({"type":"REVIVE","framework_id":{"value":"fw"}})"));
  EXPECT_EQ(calls::suppress("fw", {"web"}), json::parse(R"({"type":"SUPPRESS",
      "framework_id":{"value":"fw"},"suppress":{"roles":["web"]}})"));
  expect_master_accepts(calls::suppress("fw"));
}

TEST(Calls, KillAcknowledgeReconcileMessageTeardown) {
  EXPECT_EQ(calls::kill("fw", "t1", "a1"), json::parse(R"({"type":"KILL",
      "framework_id":{"value":"fw"},"kill":{"task_id":{"value":"t1"},"agent_id":{"value":"a1"}}})"));
  EXPECT_FALSE(calls::kill("fw", "t1")["kill"].contains("agent_id"));
  expect_master_accepts(calls::kill("fw", "t1"));

  json ack = calls::acknowledge("fw", "a1", "t1", "3q2+7w==");
  EXPECT_EQ(ack["acknowledge"], json::parse(R"({"agent_id":{"value":"a1"},
      "task_id":{"value":"t1"},"uuid":"3q2+7w=="})"));
  expect_master_accepts(ack);

  json implicit = calls::reconcile("fw", {});
  EXPECT_EQ(implicit, json::parse(R"({"type":"RECONCILE","framework_id":{"value":"fw"},
      "reconcile":{}})"));
  expect_master_accepts(implicit);
  json explicit_call =
      calls::reconcile("fw", {json::parse(R"({"task_id":{"value":"t1"},"agent_id":{"value":"a1"},
                             "state":"TASK_RUNNING"})"),
                              json::parse(R"({"task_id":{"value":"t2"}})"), json("not a status")});
  EXPECT_EQ(explicit_call["reconcile"], json::parse(R"({"tasks":[
      {"task_id":{"value":"t1"},"agent_id":{"value":"a1"}},{"task_id":{"value":"t2"}}]})"));
  expect_master_accepts(explicit_call);

  json message = calls::message("fw", "a1", "e1", std::string("hi\0there", 8));
  EXPECT_EQ(message["message"], json::parse(R"({"agent_id":{"value":"a1"},
      "executor_id":{"value":"e1"},"data":"aGkAdGhlcmU="})"));
  expect_master_accepts(message);

  EXPECT_EQ(calls::teardown("fw"),
            json::parse(R"({"type":"TEARDOWN","framework_id":{"value":"fw"}})"));
  expect_master_accepts(calls::teardown("fw"));
}

}  // namespace
}  // namespace cairn::scheduler
