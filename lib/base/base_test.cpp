#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/base/suggest.hpp"
#include "lib/base/uuid.hpp"

namespace cairn {
namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return Error("odd: " + std::to_string(n));
  return n / 2;
}

TEST(Result, CarriesValueOrError) {
  auto good = half(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "odd: 3");
  EXPECT_EQ(bad.value_or(-1), -1);
  Status s = Error("nope");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error(), "nope");
  EXPECT_TRUE(ok_status().ok());
}

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("masters", "mastres"), 1u);  // adjacent swap
  EXPECT_EQ(edit_distance("abc", ""), 3u);
}

TEST(Suggest, ClosestMatchOnlyForPlausibleTypos) {
  std::vector<std::string> keys{"masters", "agents", "zookeeper", "security"};
  EXPECT_EQ(closest_match("mastres", keys).value_or(""), "masters");
  EXPECT_EQ(closest_match("zookeper", keys).value_or(""), "zookeeper");
  EXPECT_FALSE(closest_match("banana", keys).has_value());
  EXPECT_FALSE(closest_match("x", keys).has_value());
}

TEST(Uuid, RandomVersion4RoundTrips) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    Uuid u = Uuid::random();
    const std::string text = u.to_string();
    ASSERT_EQ(text.size(), 36u);
    EXPECT_EQ(text[14], '4');
    EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos);
    EXPECT_TRUE(seen.insert(text).second);
    EXPECT_EQ(Uuid::parse(text), u);
    EXPECT_EQ(Uuid::from_bytes(u.bytes()), u);
  }
}

TEST(Uuid, RejectsMalformedText) {
  for (const char* bad :
       {"", "not-a-uuid", "123e4567-e89b-12d3-a456-42661417400",
        "123e4567-e89b-12d3-a456-4266141740000", "123e4567xe89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456-42661417400g"}) {
    EXPECT_FALSE(Uuid::parse(bad).has_value()) << bad;
  }
  EXPECT_TRUE(Uuid::parse("123E4567-E89B-12D3-A456-426614174000").has_value());
  EXPECT_FALSE(Uuid::from_bytes("short").has_value());
}

}  // namespace
}  // namespace cairn
