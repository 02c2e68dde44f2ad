#include "lib/http/api_call.hpp"

#include <gtest/gtest.h>

namespace cairn::http {
namespace {

Request call(std::string method, std::optional<std::string> content_type,
             std::optional<std::string> accept = std::nullopt) {
  Request r;
  r.method = std::move(method);
  if (content_type) r.headers.set("Content-Type", *content_type);
  if (accept) r.headers.set("Accept", *accept);
  return r;
}

int status(const Request& r) {
  auto c = check_api_call(r);
  return c.format ? 0 : c.error.status;
}

TEST(ApiCall, AcceptsJsonPosts) {
  auto c = check_api_call(call("POST", "application/json"));
  ASSERT_TRUE(c.format.has_value());
  EXPECT_EQ(c.format->response_type, "application/json");
  EXPECT_FALSE(c.format->recordio);
  for (const char* accept :
       {"application/json", "*/*", "application/*", "text/html, application/json;q=0.9", ""}) {
    EXPECT_EQ(status(call("POST", "application/json; charset=utf-8", accept)), 0) << accept;
  }
}

TEST(ApiCall, RefusesInMesosOrder) {
  EXPECT_EQ(status(call("GET", "application/json")), 405);
  EXPECT_EQ(check_api_call(call("PUT", std::nullopt)).error.headers.get("Allow").value(), "POST");
  EXPECT_EQ(status(call("POST", std::nullopt)), 400);
  EXPECT_EQ(status(call("POST", "text/plain")), 415);
  auto protobuf = check_api_call(call("POST", "application/x-protobuf"));
  EXPECT_EQ(protobuf.error.status, 415);
  EXPECT_NE(protobuf.error.body.find("JSON only"), std::string::npos);
  EXPECT_EQ(status(call("POST", "application/json", "application/x-protobuf")), 406);
  EXPECT_EQ(status(call("POST", "application/json", "application/json;q=0")), 406);
}

TEST(ApiCall, RecordIoStreamsCarryJsonMessages) {
  Request r = call("POST", "application/json", "application/recordio");
  r.headers.set("Message-Accept", "application/json");
  auto c = check_api_call(r);
  ASSERT_TRUE(c.format.has_value());
  EXPECT_TRUE(c.format->recordio);
  EXPECT_EQ(c.format->response_type, "application/recordio");
  r.headers.set("Message-Accept", "application/x-protobuf");
  EXPECT_EQ(status(r), 406);
}

}  // namespace
}  // namespace cairn::http
