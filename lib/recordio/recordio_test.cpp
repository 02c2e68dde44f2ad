#include "lib/recordio/recordio.hpp"

#include <gtest/gtest.h>

#include <random>

namespace cairn::recordio {
namespace {

std::vector<std::string> drain(Decoder& d) {
  std::vector<std::string> out;
  while (auto r = d.next())
    out.push_back(*r);
  return out;
}

TEST(RecordIO, EncodesLengthNewlineBytes) {
  EXPECT_EQ(encode("{\"type\":\"HEARTBEAT\"}"), "20\n{\"type\":\"HEARTBEAT\"}");
  EXPECT_EQ(encode(""), "0\n");
}

TEST(RecordIO, DecodesEmptyAndBinaryRecords) {
  Decoder d;
  std::string binary("a\0\nb", 4);
  ASSERT_TRUE(d.feed(encode("") + encode(binary) + encode("x")).ok());
  EXPECT_EQ(drain(d), (std::vector<std::string>{"", binary, "x"}));
  EXPECT_EQ(d.pending_bytes(), 0u);
}

TEST(RecordIO, ToleratesArbitraryChunking) {
  std::vector<std::string> records;
  std::string stream;
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    records.push_back(std::string(rng() % 300, static_cast<char>('a' + i % 26)));
    stream += encode(records.back());
  }
  for (size_t max_piece : {1u, 2u, 3u, 7u, 64u, 1000u}) {
    Decoder d;
    std::vector<std::string> got;
    for (size_t i = 0; i < stream.size();) {
      size_t n = 1 + rng() % max_piece;
      ASSERT_TRUE(d.feed(std::string_view(stream).substr(i, n)).ok());
      i += n;
      for (auto& r : drain(d))
        got.push_back(r);
    }
    EXPECT_EQ(got, records) << "pieces up to " << max_piece;
  }
}

TEST(RecordIO, RefusesMalformedLengthsAndStaysFailed) {
  for (std::string bad : {"\nabc", "12x\n", "-1\n", " 5\nhello", "007\nabcdefg"}) {
    Decoder d;
    auto s = d.feed(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().find("RecordIO"), std::string::npos);
    EXPECT_TRUE(d.failed());
    EXPECT_FALSE(d.feed("1\na").ok());
  }
}

TEST(RecordIO, RefusesRecordsOverTheLimitBeforeBufferingThem) {
  Decoder d(100);
  auto s = d.feed("101\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("limit of 100"), std::string::npos);
  Decoder huge;
  EXPECT_FALSE(huge.feed("999999999999999999999999\n").ok());
  Decoder twenty;
  EXPECT_FALSE(twenty.feed("99999999999999999999").ok());
  Decoder ok(100);
  EXPECT_TRUE(ok.feed("100\n").ok());
}

}  // namespace
}  // namespace cairn::recordio
