#include "lib/scheduler/endpoint.hpp"

#include <gtest/gtest.h>

namespace cairn::scheduler {
namespace {

std::string url_of(std::string_view master) {
  auto url = scheduler_api_url(master);
  return url.ok() ? url->to_string() : "error: " + url.error();
}

TEST(Endpoint, AcceptsTheFormsFrameworksAreGiven) {
  EXPECT_EQ(url_of("10.0.0.1:5050"), "http://10.0.0.1:5050/api/v1/scheduler");
  EXPECT_EQ(url_of("master.example"), "http://master.example:5050/api/v1/scheduler");
  EXPECT_EQ(url_of("[::1]:6060"), "http://[::1]:6060/api/v1/scheduler");
  EXPECT_EQ(url_of("[::1]"), "http://[::1]:5050/api/v1/scheduler");
  EXPECT_EQ(url_of("http://m:5050"), "http://m:5050/api/v1/scheduler");
  EXPECT_EQ(url_of("http://m:5050/"), "http://m:5050/api/v1/scheduler");
  EXPECT_EQ(url_of("https://router/mesos/"), "https://router:443/mesos/api/v1/scheduler");
}

TEST(Endpoint, RefusesWhatItCannotReach) {
  EXPECT_NE(url_of("").find("no master"), std::string::npos);
  EXPECT_NE(url_of("zk://zk1:2181/mesos").find("ZooKeeper"), std::string::npos);
  EXPECT_NE(url_of("m:5050/path").find("no scheme"), std::string::npos);
  EXPECT_NE(url_of("m:http").find("error"), std::string::npos);
  EXPECT_NE(url_of("http://m:5050/?x=1").find("query"), std::string::npos);
}

TEST(Endpoint, FollowsMesosRedirects) {
  const http::Url from = *scheduler_api_url("https://m1:5050");
  auto scheme_relative = resolve_redirect(from, "//m2:5051/master/api/v1/scheduler");
  ASSERT_TRUE(scheme_relative.ok()) << scheme_relative.error();
  EXPECT_EQ(scheme_relative->to_string(), "https://m2:5051/master/api/v1/scheduler");
  auto absolute = resolve_redirect(from, "http://m3:5050/api/v1/scheduler");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->to_string(), "http://m3:5050/api/v1/scheduler");
  auto path = resolve_redirect(from, "/master/api/v1/scheduler");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->to_string(), "https://m1:5050/master/api/v1/scheduler");
  EXPECT_FALSE(resolve_redirect(from, "").ok());
  EXPECT_FALSE(resolve_redirect(from, "ftp://m4/").ok());
}

}  // namespace
}  // namespace cairn::scheduler
