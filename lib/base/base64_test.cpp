#include "lib/base/base64.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cairn {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64::encode(""), "");
  EXPECT_EQ(base64::encode("f"), "Zg==");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
  EXPECT_EQ(base64::encode("foo"), "Zm9v");
  EXPECT_EQ(base64::encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64::encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesPaddedAndUnpadded) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto padded = base64::decode(base64::encode(s));
    ASSERT_TRUE(padded.ok()) << padded.error();
    EXPECT_EQ(*padded, s);
    std::string bare = base64::encode(s);
    while (!bare.empty() && bare.back() == '=')
      bare.pop_back();
    auto unpadded = base64::decode(bare);
    ASSERT_TRUE(unpadded.ok()) << unpadded.error();
    EXPECT_EQ(*unpadded, s);
  }
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    auto back = base64::decode(base64::encode(part));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, part);
  }
  EXPECT_EQ(base64::encode("\xfb\xff"), "+/8=");
}

TEST(Base64, RefusesMalformedInput) {
  EXPECT_FALSE(base64::decode("Zg=").ok());     // padding on a partial quantum
  EXPECT_FALSE(base64::decode("Z").ok());       // six bits cannot make a byte
  EXPECT_FALSE(base64::decode("Zm9v\n").ok());  // whitespace
  EXPECT_FALSE(base64::decode("Zm-v").ok());    // URL-safe alphabet
  EXPECT_FALSE(base64::decode("Z===").ok());
  EXPECT_FALSE(base64::decode("Zg==Zg==").ok());  // padding in the middle
  auto e = base64::decode("ab*d");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().find("offset 2"), std::string::npos) << e.error();
}

}  // namespace
}  // namespace cairn
