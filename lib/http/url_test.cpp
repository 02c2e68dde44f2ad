#include "lib/http/url.hpp"

#include <gtest/gtest.h>

#include "lib/http/message.hpp"

namespace cairn::http {
namespace {

TEST(Url, ParsesHostPortAndTarget) {
  auto u = Url::parse("http://10.0.0.1:5050/api/v1/scheduler");
  ASSERT_TRUE(u.ok()) << u.error();
  EXPECT_EQ(u->host, "10.0.0.1");
  EXPECT_EQ(u->port, 5050);
  EXPECT_EQ(u->target, "/api/v1/scheduler");
  EXPECT_FALSE(u->tls());
  auto s = Url::parse("https://master.example.com?x=1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->target, "/?x=1");
  auto v6 = Url::parse("http://[::1]:8080/");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->authority(), "[::1]:8080");
  EXPECT_EQ(Url::parse("http://h")->to_string(), "http://h:80/");
}

TEST(Url, RejectsWithReasons) {
  EXPECT_NE(Url::parse("10.0.0.1:5050").error().find("expected http://"), std::string::npos);
  EXPECT_NE(Url::parse("ftp://h/").error().find("not supported"), std::string::npos);
  EXPECT_NE(Url::parse("http://:80/").error().find("missing host"), std::string::npos);
  EXPECT_NE(Url::parse("http://h:0/").error().find("1..65535"), std::string::npos);
  EXPECT_NE(Url::parse("http://h:99999/").error().find("1..65535"), std::string::npos);
  EXPECT_NE(Url::parse("http://h:/").error().find("1..65535"), std::string::npos);
  EXPECT_NE(Url::parse("http://[::1/").error().find("IPv6"), std::string::npos);
  EXPECT_NE(Url::parse("http://u:p@h/").error().find("credentials"), std::string::npos);
}

TEST(Query, DecodesPercentAndPlus) {
  auto q = parse_query("framework_id=abc-0001&limit=10&name=a+b%2Fc&flag");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->at("framework_id"), "abc-0001");
  EXPECT_EQ(q->at("limit"), "10");
  EXPECT_EQ(q->at("name"), "a b/c");
  EXPECT_EQ(q->at("flag"), "");
  EXPECT_FALSE(parse_query("a=%zz").ok());
  EXPECT_FALSE(parse_query("a=%2").ok());
  EXPECT_FALSE(parse_query("a=%").ok());
  EXPECT_EQ(percent_encode("a b/ü"), "a%20b/%C3%BC");
  EXPECT_EQ(*percent_decode(percent_encode("x y%z"), false), "x y%z");
}

TEST(Headers, CaseInsensitiveAndOrdered) {
  Headers h;
  h.set("Content-Type", "application/json");
  h.add("Set-Cookie", "a=1");
  h.add("set-cookie", "b=2");
  EXPECT_EQ(h.get("content-type").value(), "application/json");
  EXPECT_EQ(h.get("SET-COOKIE").value(), "a=1");
  h.set("CONTENT-TYPE", "text/plain");
  EXPECT_EQ(h.get("Content-Type").value(), "text/plain");
  EXPECT_EQ(h.size(), 3u);
  h.remove("Set-Cookie");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_FALSE(h.has("Accept"));
}

}  // namespace
}  // namespace cairn::http
