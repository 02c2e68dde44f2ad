#include "lib/resources/value.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace cairn {
namespace {

int64_t thousandths(std::string_view text) {
  auto s = Scalar::parse(text);
  EXPECT_TRUE(s.ok()) << text << ": " << (s.ok() ? "" : s.error());
  return s.ok() ? s->thousandths() : -999;
}

TEST(Scalar, ParsesDecimalForms) {
  EXPECT_EQ(thousandths("8"), 8000);
  EXPECT_EQ(thousandths("0.5"), 500);
  EXPECT_EQ(thousandths(".5"), 500);
  EXPECT_EQ(thousandths("5."), 5000);
  EXPECT_EQ(thousandths("007"), 7000);
  EXPECT_EQ(thousandths("+3"), 3000);
  EXPECT_EQ(thousandths("-2.25"), -2250);
  EXPECT_EQ(thousandths("1e3"), 1'000'000);
  EXPECT_EQ(thousandths("1.5E-1"), 150);
  EXPECT_EQ(thousandths("16384"), 16'384'000);
  EXPECT_EQ(thousandths("0"), 0);
  EXPECT_EQ(thousandths("-0"), 0);
  EXPECT_EQ(thousandths("1000000000000"), 1'000'000'000'000'000);
}

TEST(Scalar, RoundsToThousandthsHalfAwayFromZeroLikeMesos) {
  EXPECT_EQ(thousandths("0.0005"), 1);
  EXPECT_EQ(thousandths("0.00049999"), 0);
  EXPECT_EQ(thousandths("1.2345"), 1235);
  EXPECT_EQ(thousandths("-1.2345"), -1235);
  EXPECT_EQ(thousandths("1e-9"), 0);
  EXPECT_EQ(Scalar::from_double(0.0005)->thousandths(), 1);
  EXPECT_EQ(Scalar::from_double(2.0004)->thousandths(), 2000);
}

TEST(Scalar, RejectsNonNumbersAndOutOfRange) {
  for (std::string text : {"", "abc", "1.2.3", "1e", "1e+", "inf", "nan", "Infinity", "0x10", "--1",
                           "1,5", ".", "+", "1 ", "5GB"}) {
    auto s = Scalar::parse(text);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_NE(s.error().find("is not a number"), std::string::npos) << s.error();
  }
  for (std::string text : {"1e13", "1000000000000.001", "99999999999999999999", "1e999999999"}) {
    auto s = Scalar::parse(text);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_NE(s.error().find("out of range"), std::string::npos) << s.error();
  }
  EXPECT_FALSE(Scalar::from_double(std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(Scalar::from_double(std::numeric_limits<double>::quiet_NaN()).ok());
  EXPECT_FALSE(Scalar::from_double(2e12).ok());
}

TEST(Scalar, FixedPointArithmeticIsExact) {
  const Scalar a = *Scalar::parse("0.1");
  const Scalar b = *Scalar::parse("0.2");
  EXPECT_EQ(a + b, *Scalar::parse("0.3"));
  EXPECT_EQ((a + b).value(), 0.3);
  EXPECT_EQ(*Scalar::from_double(0.1) + *Scalar::from_double(0.2), *Scalar::from_double(0.3));
  Scalar sum;
  for (int i = 0; i < 1000; ++i)
    sum += a;
  EXPECT_EQ(sum, *Scalar::parse("100"));
  EXPECT_EQ((b - a - a).thousandths(), 0);
}

TEST(Scalar, SaturatesInsteadOfOverflowing) {
  const Scalar max = Scalar::from_thousandths(std::numeric_limits<int64_t>::max());
  const Scalar min = Scalar::from_thousandths(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(max + Scalar::from_thousandths(1), max);
  EXPECT_EQ(min - Scalar::from_thousandths(1), min);
  EXPECT_EQ(min - max, min);
  EXPECT_FALSE(min.to_string().empty());
}

TEST(Scalar, PrintsExactShortestDecimal) {
  EXPECT_EQ(Scalar::from_thousandths(8000).to_string(), "8");
  EXPECT_EQ(Scalar::from_thousandths(500).to_string(), "0.5");
  EXPECT_EQ(Scalar::from_thousandths(1).to_string(), "0.001");
  EXPECT_EQ(Scalar::from_thousandths(1230).to_string(), "1.23");
  EXPECT_EQ(Scalar::from_thousandths(-2250).to_string(), "-2.25");
  EXPECT_EQ(Scalar::from_thousandths(0).to_string(), "0");
  EXPECT_EQ(Scalar::from_thousandths(std::numeric_limits<int64_t>::min()).to_string(),
            "-9223372036854775.808");
}

TEST(Scalar, TextAndDoubleRoundTripAcrossTheInputRange) {
  for (int64_t t : {int64_t{1}, int64_t{999}, int64_t{123456789}, int64_t{999'999'999'999'999},
                    int64_t{1'000'000'000'000'000}, int64_t{-1'000'000'000'000'000}}) {
    const Scalar s = Scalar::from_thousandths(t);
    EXPECT_EQ(*Scalar::parse(s.to_string()), s) << t;
    EXPECT_EQ(*Scalar::from_double(s.value()), s) << t;
  }
}

TEST(Ranges, ParsesAndCoalesces) {
  auto r = Ranges::parse("[31000-32000,40000-40010]");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->intervals(), (std::vector<Range>{{31000, 32000}, {40000, 40010}}));
  EXPECT_EQ(r->to_string(), "[31000-32000,40000-40010]");
  EXPECT_EQ(r->to_mesos_string(), "[31000-32000, 40000-40010]");

  // Whitespace anywhere, unsorted, overlapping and adjacent intervals.
  auto messy = Ranges::parse(" [ 10 - 20 , 1-5, 3 -8,21-22 ] ");
  ASSERT_TRUE(messy.ok()) << messy.error();
  EXPECT_EQ(messy->to_string(), "[1-8,10-22]");

  EXPECT_TRUE(Ranges::parse("[]")->empty());
  EXPECT_EQ(Ranges::parse("[0-18446744073709551615]")->size(),
            std::numeric_limits<uint64_t>::max());
}

TEST(Ranges, ErrorsNameTheProblemAndTheExpectedForm) {
  struct Case {
    std::string text, reason;
  };
  const Case cases[] = {
      {"[5-3]", "begin 5 > end 3"},
      {"[1-x]", "'x' is not a non-negative integer"},
      {"[-1-2]", "expected begin-end"},
      {"[1]", "expected begin-end, got '1'"},
      {"[1-2-3]", "expected begin-end"},
      {"[1-2,]", "expected begin-end, got ''"},
      {"[1-2", "missing closing ']'"},
      {"[1-2]x", "unexpected 'x' after ']'"},
      {"1-2", "must start with '['"},
      {"[1-99999999999999999999]", "out of range"},
      {"[+1-2]", "is not a non-negative integer"},
  };
  for (const auto& c : cases) {
    auto r = Ranges::parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().find(c.reason), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("invalid ranges"), std::string::npos) << r.error();
  }
}

TEST(Ranges, UnionDifferenceAndContainment) {
  Ranges ports{{31000, 32000}};
  Ranges taken{{31005, 31010}, {31500, 31500}};
  Ranges left = ports - taken;
  EXPECT_EQ(left.to_string(), "[31000-31004,31011-31499,31501-32000]");
  EXPECT_EQ(left.size(), 1001u - 7u);
  EXPECT_EQ(left + taken, ports);
  EXPECT_TRUE(ports.contains(taken));
  EXPECT_FALSE(left.contains(taken));
  EXPECT_TRUE(ports.contains(Ranges{}));
  EXPECT_FALSE(Ranges{}.contains(ports));
  EXPECT_TRUE(ports.contains(31000));
  EXPECT_TRUE(ports.contains(32000));
  EXPECT_FALSE(ports.contains(32001));
  EXPECT_FALSE(ports.contains(30999));
  EXPECT_FALSE(Ranges({{1, 5}, {7, 9}}).contains(Ranges({{4, 8}})));

  // Subtracting what is not there changes nothing; subtracting all empties.
  EXPECT_EQ(ports - Ranges({{1, 2}}), ports);
  EXPECT_TRUE((ports - Ranges({{0, 40000}})).empty());
  // Edges.
  Ranges edge{{0, std::numeric_limits<uint64_t>::max()}};
  EXPECT_EQ((edge - Ranges({{0, 0}})).to_string(), "[1-18446744073709551615]");
  EXPECT_EQ((edge -
             Ranges({{std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max()}}))
                .to_string(),
            "[0-18446744073709551614]");
  EXPECT_EQ(Ranges({{5, 3}}), Ranges{});  // inverted interval ignored
}

TEST(Ranges, AddCoalescesNeighbours) {
  Ranges r;
  r.add({10, 20}).add({22, 30}).add({21, 21}).add({1, 2});
  EXPECT_EQ(r.to_string(), "[1-2,10-30]");
}

TEST(Ranges, FromRejectsOverlapWhenAsked) {
  EXPECT_TRUE(Ranges::from({{1, 5}, {6, 9}}, false).ok());
  auto overlap = Ranges::from({{1, 5}, {5, 9}}, false);
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.error().find("overlap"), std::string::npos);
  EXPECT_EQ(Ranges::from({{1, 5}, {5, 9}}, true)->to_string(), "[1-9]");
  EXPECT_FALSE(Ranges::from({{9, 1}}, true).ok());
}

TEST(Set, ParsesSortsAndPrints) {
  auto s = Set::parse(" { ssd2 , ssd1 } ");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->items(), (std::vector<std::string>{"ssd1", "ssd2"}));
  EXPECT_EQ(s->to_string(), "{ssd1,ssd2}");
  EXPECT_EQ(s->to_mesos_string(), "{ssd1, ssd2}");
  EXPECT_TRUE(Set::parse("{}")->empty());
}

TEST(Set, ErrorsNameTheProblem) {
  struct Case {
    std::string text, reason;
  };
  const Case cases[] = {
      {"{a,a}", "duplicate item 'a'"}, {"{a,,b}", "item '' is invalid because it is empty"},
      {"{a:b}", "contains ':'"},       {"{a[1]}", "contains '['"},
      {"{a", "missing closing '}'"},   {"{a}b", "unexpected 'b' after '}'"},
      {"a", "must start with '{'"},    {"{a\x01}", "control character"},
  };
  for (const auto& c : cases) {
    auto s = Set::parse(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.error().find(c.reason), std::string::npos) << s.error();
  }
}

TEST(Set, UnionDifferenceContainment) {
  Set disks{"ssd1", "ssd2", "hdd1"};
  Set used{"ssd2"};
  EXPECT_EQ((disks - used).to_string(), "{hdd1,ssd1}");
  EXPECT_EQ((disks - used) + used, disks);
  EXPECT_TRUE(disks.contains(used));
  EXPECT_FALSE(used.contains(disks));
  EXPECT_TRUE(disks.contains("hdd1"));
  EXPECT_FALSE(disks.contains("nvme"));
  EXPECT_EQ(Set({"b", "a", "b"}).size(), 2u);
}

TEST(ValueType, NamesRoundTrip) {
  for (ValueType t : {ValueType::kScalar, ValueType::kRanges, ValueType::kSet, ValueType::kText}) {
    EXPECT_EQ(value_type_from_name(value_type_name(t)), t);
  }
  EXPECT_EQ(value_type_name(ValueType::kRanges), "RANGES");
  EXPECT_FALSE(value_type_from_name("scalar").has_value());
  EXPECT_EQ(type_of(ResourceValue(Set{})), ValueType::kSet);
  EXPECT_EQ(type_of(AttributeValue(Text{"x"})), ValueType::kText);
  EXPECT_EQ(to_string(AttributeValue(Text{"r1"})), "r1");
  EXPECT_EQ(to_string(ResourceValue(Scalar::from_thousandths(1500))), "1.5");
}

}  // namespace
}  // namespace cairn
