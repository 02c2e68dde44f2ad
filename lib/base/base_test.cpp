#include <gtest/gtest.h>

#include <vector>

#include "lib/base/result.hpp"
#include "lib/base/suggest.hpp"

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

}  // namespace
}  // namespace cairn
