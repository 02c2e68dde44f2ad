#include "lib/resources/role.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cairn {
namespace {

TEST(RoleName, AcceptsMesosValidNames) {
  for (std::string role : {"*", "prod", "eng/web", "a/b/c", "a.b", "a-b", "_", "a..b",
                           "slave_public", "ünïcode", "a*b", "x/y-z"}) {
    EXPECT_TRUE(validate_role_name(role).ok()) << role << ": " << validate_role_name(role).error();
  }
}

struct BadRole {
  std::string role;
  std::string reason;
};

TEST(RoleName, RejectsInvalidNamesSayingWhy) {
  const BadRole cases[] = {
      {"", "it is empty"},
      {".", "'.' as a component"},
      {"..", "'..' as a component"},
      {"-prod", "starts with '-'"},
      {"eng/-web", "component '-web' starts with '-'"},
      {"/eng", "starts with '/'"},
      {"eng/", "ends with '/'"},
      {"eng//web", "two adjacent slashes"},
      {"eng/./web", "'.' as a component"},
      {"eng/../web", "'..' as a component"},
      {"eng/*", "'*' as a component"},
      {"*/eng", "'*' as a component"},
      {"my role", "whitespace or a control character"},
      {"tab\there", "whitespace or a control character"},
      {"bell\x07", "whitespace or a control character"},
      {"del\x7f", "whitespace or a control character"},
      {"back\\slash", "backslash"},
      {"bad\xff", "not valid UTF-8"},
  };
  for (const auto& c : cases) {
    Status status = validate_role_name(c.role);
    ASSERT_FALSE(status.ok()) << c.role;
    EXPECT_NE(status.error().find(c.reason), std::string::npos) << status.error();
    // Every message says what a valid role looks like.
    EXPECT_NE(status.error().find("a role is '*' or '/'-separated components"), std::string::npos)
        << status.error();
  }
}

TEST(RoleName, ErrorQuotesTheRoleWithControlCharactersEscaped) {
  Status status = validate_role_name("a\nb");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("'a\\x0ab'"), std::string::npos) << status.error();
}

TEST(RoleHierarchy, AncestorOrSelf) {
  EXPECT_TRUE(is_ancestor_or_self("eng", "eng"));
  EXPECT_TRUE(is_ancestor_or_self("eng", "eng/web"));
  EXPECT_TRUE(is_ancestor_or_self("eng", "eng/web/frontend"));
  EXPECT_TRUE(is_ancestor_or_self("eng/web", "eng/web/frontend"));
  EXPECT_FALSE(is_ancestor_or_self("eng", "engineering"));
  EXPECT_FALSE(is_ancestor_or_self("eng/web", "eng"));
  EXPECT_FALSE(is_ancestor_or_self("eng/web", "eng/webby"));
  EXPECT_TRUE(is_ancestor_or_self("*", "*"));
  EXPECT_FALSE(is_ancestor_or_self("*", "eng"));
  EXPECT_FALSE(is_ancestor_or_self("", "eng"));
}

TEST(RoleHierarchy, AncestorsNearestFirst) {
  EXPECT_EQ(role_ancestors("a/b/c"), (std::vector<std::string_view>{"a/b", "a"}));
  EXPECT_TRUE(role_ancestors("a").empty());
  EXPECT_TRUE(role_ancestors("*").empty());
}

}  // namespace
}  // namespace cairn
