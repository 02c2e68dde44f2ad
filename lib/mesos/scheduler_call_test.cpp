#include "lib/mesos/scheduler_call.hpp"

#include <gtest/gtest.h>

#include "lib/mesos/task_status.hpp"

namespace cairn::mesos {
namespace {

TEST(SchedulerCall, SubscribeReadsFrameworkInfo) {
  auto call = parse_scheduler_call(R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{
      "user":"alice","name":"web","failover_timeout":600,"roles":["prod","dev"],
      "capabilities":[{"type":"MULTI_ROLE"},{"type":"PARTITION_AWARE"},{"type":"FUTURE_THING"}],
      "principal":"alice"}}})");
  ASSERT_TRUE(call.ok()) << call.error();
  EXPECT_EQ(call->type, "SUBSCRIBE");
  ASSERT_TRUE(call->framework_info);
  EXPECT_EQ(call->framework_info->roles, (std::vector<std::string>{"prod", "dev"}));
  EXPECT_TRUE(call->framework_info->partition_aware());
  EXPECT_EQ(call->framework_info->capabilities.size(), 2u);  // unknown enum dropped
  EXPECT_EQ(call->framework_info->failover_timeout, 600);
  nlohmann::json back = call->framework_info->to_json();
  EXPECT_EQ(back["checkpoint"], false);
  EXPECT_EQ(back["principal"], "alice");
}

TEST(SchedulerCall, AMultiRoleFrameworkInfoReadsBackWhatItWrote) {
  FrameworkInfo info;
  info.user = "alice";
  info.name = "web";
  info.failover_timeout = 600;
  info.roles = {"prod", "dev"};
  info.capabilities = {"MULTI_ROLE"};
  const nlohmann::json written = info.to_json();
  EXPECT_EQ(written["role"], "*");  // the proto default, as Mesos writes it
  // A framework may not send both...
  EXPECT_FALSE(FrameworkInfo::from_json(written, "framework_info").ok());
  // ...but a copy the master wrote (registry, agent report) reads back whole.
  Result<FrameworkInfo> read = FrameworkInfo::from_written_json(written, "framework_info");
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(read->name, "web");
  EXPECT_EQ(read->failover_timeout, 600);
  EXPECT_EQ(read->roles, info.roles);
  nlohmann::json other_role = written;
  other_role["role"] = "ops";
  EXPECT_FALSE(FrameworkInfo::from_written_json(other_role, "framework_info").ok());
}

TEST(SchedulerCall, LegacyRoleDefaultsToStar) {
  auto call = parse_scheduler_call(
      R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}})");
  ASSERT_TRUE(call.ok()) << call.error();
  EXPECT_EQ(call->framework_info->roles, std::vector<std::string>{"*"});
  EXPECT_EQ(call->framework_info->to_json()["role"], "*");
}

TEST(SchedulerCall, AcceptWithLaunch) {
  auto call = parse_scheduler_call(R"({"framework_id":{"value":"f1"},"type":"ACCEPT","accept":{
      "offer_ids":[{"value":"o1"}],
      "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t1"},
        "agent_id":{"value":"a1"},
        "resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}}],
        "command":{"value":"sleep 10"},"container":{"type":"MESOS"}}]}}],
      "filters":{"refuse_seconds":30}}})");
  ASSERT_TRUE(call.ok()) << call.error();
  ASSERT_EQ(call->operations.size(), 1u);
  ASSERT_EQ(call->operations[0].tasks.size(), 1u);
  const TaskInfo& task = call->operations[0].tasks[0];
  EXPECT_EQ(task.task_id, "t1");
  EXPECT_EQ(task.agent_id, "a1");
  EXPECT_DOUBLE_EQ(task.resources.cpus(), 0.5);
  EXPECT_TRUE(task.has_command);
  EXPECT_EQ(task.json["container"]["type"], "MESOS");
  EXPECT_EQ(call->filters.refuse_seconds, 30);
}

TEST(SchedulerCall, DeclineDefaultsFilterToFiveSeconds) {
  auto call = parse_scheduler_call(
      R"({"framework_id":{"value":"f"},"type":"DECLINE","decline":{"offer_ids":[{"value":"o"}]}})");
  ASSERT_TRUE(call.ok()) << call.error();
  EXPECT_EQ(call->filters.refuse_seconds, 5.0);
}

TEST(SchedulerCall, InfinityAcceptedForDoubles) {
  auto call = parse_scheduler_call(R"({"framework_id":{"value":"f"},"type":"DECLINE",
      "decline":{"offer_ids":[{"value":"o"}],"filters":{"refuse_seconds":"Infinity"}}})");
  ASSERT_TRUE(call.ok()) << call.error();
  EXPECT_TRUE(std::isinf(call->filters.refuse_seconds));
}

struct BadCall {
  const char* body;
  const char* message;  // substring of the error
};

class SchedulerCallErrors : public testing::TestWithParam<BadCall> {};

TEST_P(SchedulerCallErrors, NameTheProblem) {
  auto call = parse_scheduler_call(std::string_view(GetParam().body));
  ASSERT_FALSE(call.ok()) << GetParam().body;
  EXPECT_NE(call.error().find(GetParam().message), std::string::npos) << call.error();
}

INSTANTIATE_TEST_SUITE_P(
    All, SchedulerCallErrors,
    testing::Values(
        BadCall{"{", "not valid JSON"}, BadCall{"[]", "expected an object"},
        BadCall{R"({"type":"FOO"})", "unknown value \"FOO\""},
        BadCall{R"({"type":"DECLINE","decline":{}})", "framework_id: required"},
        BadCall{R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"n"}}})",
                "subscribe.framework_info.user: required"},
        BadCall{R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":1,"name":"n"}}})",
                "expected a string, got 1"},
        BadCall{R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","roles":["a"]}}})",
                "needs the MULTI_ROLE capability"},
        BadCall{R"({"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","role":"-bad"}}})",
                "subscribe.framework_info.role"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[]}})",
                "at least one offer id"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o"}],
                  "operations":[{"type":"CREATE"}]}})",
                "not supported by Cairn"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o"}],
                  "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t"},
                  "agent_id":{"value":"a"},"command":{"shell":true}}]}}]}})",
                "accept.operations[0].launch.task_infos[0].command.value"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o"}],
                  "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":""},
                  "agent_id":{"value":"a"}}]}}]}})",
                "task_id.value: must not be empty"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o"}],
                  "operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"t","task_id":{"value":"t"},
                  "agent_id":{"value":"a"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}]}]}}]}})",
                "resources"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"KILL","kill":{}})", "kill.task_id"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a"},
                  "task_id":{"value":"t"}}})",
                "acknowledge.uuid"},
        BadCall{R"({"framework_id":"f","type":"TEARDOWN"})", "expected an ID object"},
        BadCall{R"({"framework_id":{"value":"f"},"type":"DECLINE","decline":{"offer_ids":[{"value":"o"}],
                  "filters":{"refuse_seconds":"soon"}}})",
                "expected a number"}));

TEST(TaskStatus, RoundTripKeepsUnknownFields) {
  auto status = TaskStatus::from_json(
      nlohmann::json::parse(R"({"task_id":{"value":"t"},"state":"TASK_RUNNING","uuid":"AAAA",
        "agent_id":{"value":"a"},"container_status":{"network_infos":[]},"timestamp":1.5})"),
      "status");
  ASSERT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(status->state, TaskState::kRunning);
  nlohmann::json back = status->to_json();
  EXPECT_EQ(back["container_status"], nlohmann::json::parse(R"({"network_infos":[]})"));
  EXPECT_EQ(back["uuid"], "AAAA");
  EXPECT_FALSE(is_terminal(TaskState::kRunning));
  EXPECT_TRUE(is_terminal(TaskState::kGoneByOperator));
  EXPECT_FALSE(is_terminal(TaskState::kUnreachable));
}

}  // namespace
}  // namespace cairn::mesos
