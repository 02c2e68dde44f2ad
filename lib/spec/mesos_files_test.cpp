#include "lib/spec/mesos_files.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::spec {
namespace {

std::string joined(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += p + "\n";
  return out;
}

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(CredentialsJson, AcceptsTheMesosShape) {
  EXPECT_EQ(
      joined(check_credentials_json(
          R"({"credentials":[{"principal":"ops","secret":"s1"},{"principal":"fw","secret":"s2"}]})")),
      "");
}

TEST(CredentialsJson, ReportsEveryProblem) {
  const auto p = check_credentials_json(
      R"({"credential":[], "credentials":[{"principal":"ops"},{"principal":"ops","secret":"x"},
          {"principal":"","secret":"y","secrets":"z"}, 7]})");
  EXPECT_TRUE(mentions(p, "credential: unknown key (did you mean 'credentials'?)")) << joined(p);
  EXPECT_TRUE(mentions(p, "credentials[0].secret: is required")) << joined(p);
  EXPECT_TRUE(mentions(p,
                       "credentials[1].principal: principal \"ops\" is listed twice (also at "
                       "credentials[0])"))
      << joined(p);
  EXPECT_TRUE(mentions(p, "credentials[2].principal: must be a non-empty string (got \"\")"))
      << joined(p);
  EXPECT_TRUE(mentions(p, "credentials[2].secrets: unknown key (did you mean 'secret'?)"))
      << joined(p);
  EXPECT_TRUE(mentions(p, "credentials[3]: must be an object")) << joined(p);
  EXPECT_EQ(p.size(), 6u) << joined(p);
  EXPECT_TRUE(mentions(check_credentials_json(R"({"credentials":[]})"), "is empty"));
  EXPECT_TRUE(mentions(check_credentials_json(R"({})"), "credentials: is required"));
  EXPECT_TRUE(mentions(check_credentials_json(R"([1])"), "must hold a JSON object (got a list)"));
}

TEST(CredentialsJson, SyntaxErrorsSayWhere) {
  const auto p =
      check_credentials_json("{\n  \"credentials\": [\n    {\"principal\": ops}\n  ]\n}");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].starts_with("is not valid JSON: parse error at line 3, column")) << p[0];
  EXPECT_TRUE(mentions(check_credentials_json(""), "is not valid JSON"));
  EXPECT_TRUE(mentions(check_credentials_json("{\"a\":\"\xff\"}"), "is not valid JSON"));
}

TEST(AclsJson, AcceptsTheMesosShape) {
  EXPECT_EQ(joined(check_acls_json(R"({
    "permissive": false,
    "register_frameworks": [{"principals": {"values": ["fw"]}, "roles": {"values": ["prod"]}}],
    "run_tasks": [{"principals": {"type": "ANY"}, "users": {"type": "NONE"}}],
    "get_endpoints": [{"principals": {"values": ["ops"]}, "paths": {"values": ["/flags"]}}],
    "drain_agents": []
  })")),
            "");
  EXPECT_EQ(joined(check_acls_json("{}")), "");
}

TEST(AclsJson, ReportsUnknownKindsFieldsAndEntities) {
  const auto p = check_acls_json(R"({
    "permissive": "no",
    "register_framework": [],
    "run_tasks": [{"principals": {"type": "ALL"}, "user": {"values": ["root"]}}],
    "view_roles": {"principals": {"type": "ANY"}},
    "update_weights": [{"principals": {"values": [1]}, "roles": "prod"}]
  })");
  EXPECT_TRUE(mentions(p, "permissive: must be true or false (got \"no\")")) << joined(p);
  EXPECT_TRUE(mentions(p, "register_framework: unknown key (did you mean 'register_frameworks'?)"))
      << joined(p);
  EXPECT_TRUE(mentions(p, "run_tasks[0].principals.type: must be \"ANY\", \"NONE\" or \"SOME\""))
      << joined(p);
  EXPECT_TRUE(mentions(p, "run_tasks[0].user: unknown key (did you mean 'users'?)")) << joined(p);
  EXPECT_TRUE(mentions(p, "run_tasks[0].users: is required")) << joined(p);
  EXPECT_TRUE(mentions(p, "view_roles: must be a list of rules (got an object)")) << joined(p);
  EXPECT_TRUE(mentions(p, "update_weights[0].principals.values: must be a list of strings"))
      << joined(p);
  EXPECT_TRUE(mentions(p, "update_weights[0].roles: must be an object")) << joined(p);
}

TEST(RateLimitsJson, AcceptsTheMesosShape) {
  EXPECT_EQ(joined(check_rate_limits_json(
                R"({"limits":[{"principal":"fw1","qps":10.5,"capacity":1000},{"principal":"fw2"}],
                    "aggregate_default_qps":5,"aggregate_default_capacity":100})")),
            "");
}

TEST(RateLimitsJson, ReportsBadValues) {
  const auto p = check_rate_limits_json(
      R"({"limits":[{"principal":"fw","qps":-1},{"principal":"fw","qps":"fast","capacity":-3},
                    {"qps":1,"burst":2}],
          "aggregate_default_qps":0})");
  EXPECT_TRUE(mentions(p, "limits[0].qps: must be a number > 0 (got -1)")) << joined(p);
  EXPECT_TRUE(mentions(p, "limits[1].principal: principal \"fw\" is listed twice")) << joined(p);
  EXPECT_TRUE(mentions(p, "limits[1].qps: must be a number > 0 (got \"fast\")")) << joined(p);
  EXPECT_TRUE(mentions(p, "limits[1].capacity: must be a whole number >= 0 (got -3)")) << joined(p);
  EXPECT_TRUE(mentions(p, "limits[2].principal: is required")) << joined(p);
  EXPECT_TRUE(mentions(p, "limits[2].burst: unknown key")) << joined(p);
  EXPECT_TRUE(mentions(p, "aggregate_default_qps: must be a number > 0 (got 0)")) << joined(p);
  EXPECT_TRUE(mentions(check_rate_limits_json(R"({"limits":{}})"), "limits: must be a list"));
}

TEST(MesosJsonFiles, HostileInputIsBounded) {
  // Deep nesting neither overflows the parser's stack nor the destructor's.
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  EXPECT_TRUE(mentions(check_acls_json(deep), "must hold a JSON object"));
  // At most 20 problems per file, however many there are.
  std::string many = R"({"limits":[)";
  for (int i = 0; i < 1000; ++i)
    many += std::string(i ? "," : "") + R"({"qps":-1})";
  EXPECT_EQ(check_rate_limits_json(many + "]}").size(), 20u);
  // Control characters in keys do not reach the terminal.
  const auto p = check_acls_json("{\"bad\\u001b[31mkey\":[]}");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].find('\x1b'), std::string::npos) << p[0];
}

}  // namespace
}  // namespace cairn::spec
