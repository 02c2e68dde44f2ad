#include <gtest/gtest.h>

#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn {
namespace {

TEST(Duration, ParsesEveryMesosUnit) {
  EXPECT_EQ(Duration::parse("10secs")->ns(), Duration::seconds(10).ns());
  EXPECT_EQ(Duration::parse("5mins")->ns(), Duration::minutes(5).ns());
  EXPECT_EQ(Duration::parse("2hrs")->ns(), Duration::hours(2).ns());
  EXPECT_EQ(Duration::parse("500ms")->ns(), Duration::milliseconds(500).ns());
  EXPECT_EQ(Duration::parse("3us")->ns(), 3000);
  EXPECT_EQ(Duration::parse("7ns")->ns(), 7);
  EXPECT_EQ(Duration::parse("1days")->ns(), Duration::hours(24).ns());
  EXPECT_EQ(Duration::parse("1weeks")->ns(), Duration::hours(24 * 7).ns());
  EXPECT_EQ(Duration::parse("1.5hrs")->ns(), Duration::minutes(90).ns());
}

TEST(Duration, RejectsWithAMessageNamingTheUnits) {
  for (const char* bad : {"", "10", "secs", "10 secs", "10sec", "-1secs", "1.2.3secs", "10secs5",
                          "1e400secs", "99999999999999999weeks"}) {
    auto d = Duration::parse(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.error().find(bad), std::string::npos) << d.error();
  }
  EXPECT_NE(Duration::parse("10sec").error().find("secs"), std::string::npos);
}

TEST(Duration, PrintsTheLargestUnit) {
  EXPECT_EQ(Duration::seconds(10).to_string(), "10secs");
  EXPECT_EQ(Duration::minutes(90).to_string(), "1.5hrs");
  EXPECT_EQ(Duration::milliseconds(500).to_string(), "500ms");
  EXPECT_EQ(Duration().to_string(), "0ns");
  EXPECT_EQ(Duration::parse(Duration::minutes(15).to_string())->ns(), Duration::minutes(15).ns());
}

TEST(Bytes, ParsesAndPrints) {
  EXPECT_EQ(Bytes::parse("512MB")->bytes(), 512 * Bytes::MB);
  EXPECT_EQ(Bytes::parse("1GB")->bytes(), Bytes::GB);
  EXPECT_EQ(Bytes::parse("10B")->bytes(), 10u);
  EXPECT_EQ(Bytes::parse("1.5KB")->bytes(), 1536u);
  EXPECT_EQ(Bytes(1024 * Bytes::MB).to_string(), "1GB");
  EXPECT_EQ(Bytes(1536).to_string(), "1536B");
  EXPECT_EQ(Bytes::parse("4TB")->to_string(), "4TB");
}

TEST(Bytes, RejectsBadSizes) {
  for (const char* bad : {"", "512", "MB", "512mb", "512 MB", "-5MB", "5PB"}) {
    auto b = Bytes::parse(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.error().find("KB"), std::string::npos) << b.error();
  }
}

}  // namespace
}  // namespace cairn
