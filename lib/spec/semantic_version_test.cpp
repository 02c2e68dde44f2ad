#include "lib/spec/semantic_version.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::spec {
namespace {

SemanticVersion v(const std::string& text) {
  auto parsed = SemanticVersion::parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed ? "" : parsed.error());
  return parsed.value_or(SemanticVersion{});
}

TEST(SemanticVersion, ParsesEveryPart) {
  const SemanticVersion full = v("1.22.333-rc.1.x-y+build.5.sha-0f");
  EXPECT_EQ(full.major, 1u);
  EXPECT_EQ(full.minor, 22u);
  EXPECT_EQ(full.patch, 333u);
  EXPECT_EQ(full.pre_release, (std::vector<std::string>{"rc", "1", "x-y"}));
  EXPECT_EQ(full.build, (std::vector<std::string>{"build", "5", "sha-0f"}));
  EXPECT_EQ(full.to_string(), "1.22.333-rc.1.x-y+build.5.sha-0f");
  EXPECT_EQ(v("0.0.0").to_string(), "0.0.0");
  EXPECT_EQ(v("1.0.0+001").build, std::vector<std::string>{"001"});  // build ids may have zeros
  EXPECT_EQ(v("18446744073709551615.0.0").major, 18446744073709551615u);
}

TEST(SemanticVersion, RejectsWithTheReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"1.0", "exactly three numbers"}, {"1.0.0.0", "exactly three numbers"},
      {"v1.0.0", "must be numbers"},    {"1.x.0", "must be numbers"},
      {"01.0.0", "leading zeros"},      {"1.0.0-01", "leading zeros"},
      {"1.0.0-", "pre-release"},        {"1.0.0-a..b", "pre-release"},
      {"1.0.0-a_b", "pre-release"},     {"1.0.0+", "build metadata"},
      {"1.0.0+a+b", "build metadata"},  {"18446744073709551616.0.0", "too large"},
      {"", "exactly three numbers"},    {"latest", "exactly three numbers"},
  };
  for (const auto& [text, reason] : cases) {
    auto parsed = SemanticVersion::parse(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << text << ": " << parsed.error();
    EXPECT_NE(parsed.error().find("expected MAJOR.MINOR.PATCH"), std::string::npos);
  }
}

TEST(SemanticVersion, LongInputIsRefusedNotOverflowed) {
  const std::string long_version =
      "1." + std::string(1'000'000, '1') + ".0-" + std::string(1'000'000, 'a');
  EXPECT_FALSE(SemanticVersion::parse(long_version).ok());
  EXPECT_TRUE(SemanticVersion::parse("1.0.0-" + std::string(100'000, 'a')).ok());
}

TEST(SemanticVersion, PrecedenceFollowsSemverOrg) {
  // The example chain of semver.org, section 11.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                         "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                         "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                         "1.1.0",       "2.0.0"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_EQ(v(chain[i]).precedence(v(chain[i + 1])), std::weak_ordering::less)
        << chain[i] << " < " << chain[i + 1];
    EXPECT_EQ(v(chain[i + 1]).precedence(v(chain[i])), std::weak_ordering::greater);
  }
  // Build metadata does not count for precedence, but does for equality.
  EXPECT_EQ(v("1.0.0+a").precedence(v("1.0.0+b")), std::weak_ordering::equivalent);
  EXPECT_NE(v("1.0.0+a"), v("1.0.0+b"));
  EXPECT_EQ(v("1.0.0-rc.1"), v("1.0.0-rc.1"));
}

}  // namespace
}  // namespace cairn::spec
