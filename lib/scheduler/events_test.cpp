#include "lib/scheduler/events.hpp"

#include <gtest/gtest.h>

namespace cairn::scheduler {
namespace {

template <typename T>
T parse_as(const std::string& record) {
  auto event = parse_event(record);
  EXPECT_TRUE(event.ok()) << record << ": " << (event.ok() ? "" : event.error());
  if (!event.ok()) return T{};
  const T* typed = std::get_if<T>(&*event);
  EXPECT_NE(typed, nullptr) << record;
  return typed ? *typed : T{};
}

std::string error_of(const std::string& record) {
  auto event = parse_event(record);
  return event.ok() ? "parsed" : event.error();
}

TEST(Events, Subscribed) {
  auto e = parse_as<SubscribedEvent>(R"({"type":"SUBSCRIBED","subscribed":{
      "framework_id":{"value":"fw-1"},"heartbeat_interval_seconds":0.2,
      "master_info":{"id":"m","ip":1,"port":5050}}})");
  EXPECT_EQ(e.framework_id, "fw-1");
  EXPECT_EQ(e.heartbeat_interval, Duration::milliseconds(200));
  EXPECT_EQ(e.master_info["port"], 5050);
  auto defaults = parse_as<SubscribedEvent>(
      R"({"type":"SUBSCRIBED","subscribed":{"framework_id":{"value":"fw"}}})");
  EXPECT_EQ(defaults.heartbeat_interval, kDefaultHeartbeatInterval);
  EXPECT_TRUE(defaults.master_info.is_object());
  EXPECT_NE(error_of(R"({"type":"SUBSCRIBED","subscribed":{"framework_id":"fw"}})")
                .find("subscribed.framework_id"),
            std::string::npos);
}

TEST(Events, OffersRescindUpdate) {
  auto offers = parse_as<OffersEvent>(R"({"type":"OFFERS","offers":{"offers":[
      {"id":{"value":"o1"}},{"id":{"value":"o2"}}]}})");
  ASSERT_EQ(offers.offers.size(), 2u);
  EXPECT_EQ(offers.offers[1]["id"]["value"], "o2");
  EXPECT_NE(error_of(R"({"type":"OFFERS","offers":[]})").find("offers: expected an object"),
            std::string::npos);
  EXPECT_EQ(parse_as<RescindEvent>(R"({"type":"RESCIND","rescind":{"offer_id":{"value":"o1"}}})")
                .offer_id,
            "o1");
  auto update = parse_as<UpdateEvent>(
      R"({"type":"UPDATE","update":{"status":{"task_id":{"value":"t"},"state":"TASK_RUNNING"}}})");
  EXPECT_EQ(update.status["state"], "TASK_RUNNING");
  EXPECT_NE(error_of(R"({"type":"UPDATE","update":{}})").find("update.status: expected an object"),
            std::string::npos);
}

TEST(Events, MessageFailureErrorHeartbeat) {
  auto message = parse_as<MessageEvent>(R"({"type":"MESSAGE","message":{
      "agent_id":{"value":"a"},"executor_id":{"value":"e"},"data":"aGkAdGhlcmU="}})");
  EXPECT_EQ(message.data, std::string("hi\0there", 8));
  EXPECT_EQ(message.executor_id, "e");
  EXPECT_NE(error_of(R"({"type":"MESSAGE","message":{"agent_id":{"value":"a"},
      "executor_id":{"value":"e"},"data":"***"}})")
                .find("message.data"),
            std::string::npos);

  auto agent = parse_as<FailureEvent>(R"({"type":"FAILURE","failure":{"agent_id":{"value":"a"}}})");
  EXPECT_EQ(agent.agent_id, "a");
  EXPECT_FALSE(agent.executor_id);
  auto executor = parse_as<FailureEvent>(R"({"type":"FAILURE","failure":{
      "agent_id":{"value":"a"},"executor_id":{"value":"e"},"status":137}})");
  EXPECT_EQ(executor.executor_id, "e");
  EXPECT_EQ(executor.status, 137);
  EXPECT_NE(error_of(R"({"type":"FAILURE","failure":{}})").find("neither"), std::string::npos);

  EXPECT_EQ(parse_as<ErrorEvent>(R"({"type":"ERROR","error":{"message":"bye"}})").message, "bye");
  parse_as<HeartbeatEvent>(R"({"type":"HEARTBEAT"})");
  auto other = parse_as<OtherEvent>(R"({"type":"INVERSE_OFFERS","inverse_offers":{}})");
  EXPECT_EQ(other.type, "INVERSE_OFFERS");
}

TEST(Events, RefusesWhatIsNotAnEvent) {
  EXPECT_EQ(error_of("{"), "event is not valid JSON");
  EXPECT_NE(error_of("[]").find("JSON object"), std::string::npos);
  EXPECT_EQ(error_of(R"({"type":7})"), "malformed event: type: expected a string");
}

}  // namespace
}  // namespace cairn::scheduler
