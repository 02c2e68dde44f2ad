#include "lib/resources/attributes.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace cairn {
namespace {

using json = nlohmann::json;

Attributes parse_ok(std::string_view text) {
  auto a = Attributes::parse(text);
  EXPECT_TRUE(a.ok()) << text << ": " << (a.ok() ? "" : a.error());
  return a.ok() ? *a : Attributes();
}

TEST(Attributes, ParsesTheMesosSyntax) {
  Attributes a = parse_ok("rack:r1;os:rhel9;zone:a;level:10;ports:[1-10];tags:{b,a}");
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a.get("rack")->type(), ValueType::kText);
  EXPECT_EQ(std::get<Text>(a.get("rack")->value).value, "r1");
  EXPECT_EQ(a.get("level")->type(), ValueType::kScalar);
  EXPECT_DOUBLE_EQ(std::get<Scalar>(a.get("level")->value).value(), 10);
  EXPECT_EQ(a.get("ports")->type(), ValueType::kRanges);
  EXPECT_EQ(a.get("tags")->type(), ValueType::kSet);
  EXPECT_EQ(a.get("missing"), nullptr);
  EXPECT_EQ(a.to_string(), "rack:r1;os:rhel9;zone:a;level:10;ports:[1-10];tags:{a,b}");
}

TEST(Attributes, ScalarOnlyWhenTheWholeValueIsANumber) {
  Attributes a =
      parse_ok("a:10;b:0.5;c:-3;d:1e3;e:10GB;f:1.2.3;g:inf;h:nan;i:v1;j:12345678901234567890;k:+");
  for (std::string name : {"a", "b", "c", "d"}) {
    EXPECT_EQ(a.get(name)->type(), ValueType::kScalar) << name;
  }
  for (std::string name : {"e", "f", "g", "h", "i", "j", "k"}) {
    EXPECT_EQ(a.get(name)->type(), ValueType::kText) << name;
  }
  EXPECT_DOUBLE_EQ(std::get<Scalar>(a.get("c")->value).value(), -3);
}

TEST(Attributes, MesosTextDetails) {
  // The name ends at the first ':'; spaces inside values are removed; newlines
  // separate like ';'.
  Attributes a = parse_ok(" zone : us:east ;os:Red Hat\nrack:r 1\n\n");
  EXPECT_EQ(std::get<Text>(a.get("zone")->value).value, "us:east");
  EXPECT_EQ(std::get<Text>(a.get("os")->value).value, "RedHat");
  EXPECT_EQ(std::get<Text>(a.get("rack")->value).value, "r1");
  EXPECT_EQ(std::get<Text>(parse_ok("x:a[b]").get("x")->value).value, "a[b]");
  EXPECT_TRUE(parse_ok("").empty());
}

TEST(Attributes, ErrorsNameTheTokenAndTheRule) {
  struct Case {
    std::string text, expected;
  };
  const Case cases[] = {
      {"rack", "invalid attribute 'rack': missing ':'; expected name:value"},
      {":r1", "empty attribute name"},
      {"rack:", "empty value"},
      {"rack:r1;rack:r2", "duplicate attribute 'rack' (given as 'rack:r1' and 'rack:r2')"},
      {"ra ck:r1", "contains whitespace"},
      {"ports:[5-3]", "begin 5 > end 3"},
      {"ports:[1-2", "missing closing ']'"},
      {"tags:{a,a}", "duplicate item 'a'"},
      {"bad:\xff", "not valid UTF-8"},
  };
  for (const auto& c : cases) {
    auto a = Attributes::parse(c.text);
    ASSERT_FALSE(a.ok()) << c.text;
    EXPECT_NE(a.error().find(c.expected), std::string::npos) << c.text << " -> " << a.error();
  }
}

TEST(Attributes, TextRoundTrip) {
  for (std::string text : {"rack:r1;os:rhel9;zone:a", "level:0.125;temp:-3;ports:[1-2,4-9]",
                           "tags:{x,y};zone:us:east;v:1.2345"}) {
    Attributes a = parse_ok(text);
    EXPECT_EQ(parse_ok(a.to_string()), a) << text << " -> " << a.to_string();
  }
}

TEST(Attributes, V1Json) {
  Attributes a = parse_ok("rack:r1;level:10;ports:[1-10];tags:{a,b}");
  EXPECT_EQ(a.to_json(), json::parse(R"([
    {"name":"rack","type":"TEXT","text":{"value":"r1"}},
    {"name":"level","type":"SCALAR","scalar":{"value":10.0}},
    {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":1,"end":10}]}},
    {"name":"tags","type":"SET","set":{"item":["a","b"]}}])"));
  auto back = Attributes::from_json(json::parse(a.to_json().dump()));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, a);
}

TEST(Attributes, V0FlatMap) {
  Attributes a = parse_ok("rack:r1;level:10;ports:[1-10,12-13];tags:{b,a}");
  EXPECT_EQ(a.to_v0_json(), json::parse(R"({"rack":"r1","level":10.0,"ports":"[1-10, 12-13]",
                                             "tags":"{a, b}"})"));
  EXPECT_EQ(Attributes().to_v0_json(), json::object());
}

TEST(Attributes, JsonErrorsGiveThePath) {
  struct Case {
    std::string json, expected;
  };
  const Case cases[] = {
      {R"({})", "expected an array of Attribute objects"},
      {R"(["rack"])", "at [0]: expected an Attribute object"},
      {R"([{"type":"TEXT","text":{"value":"x"}}])", "at [0].name: missing"},
      {R"([{"name":"rack","type":"TXT","text":{"value":"x"}}])", "did you mean TEXT?"},
      {R"([{"name":"rack","type":"TEXT"}])", "at [0].text: missing"},
      {R"([{"name":"rack","type":"TEXT","text":{"value":1}}])",
       "at [0].text.value: expected a string"},
      {R"([{"name":"rack","type":"TEXT","text":{"value":"a"},"scalar":{"value":1}}])",
       "at [0].scalar: not allowed when type is TEXT"},
      {R"([{"name":"a","type":"SCALAR","scalar":{"value":1}},{"name":"a","type":"SCALAR","scalar":{"value":2}}])",
       "at [1]: duplicate attribute 'a'"},
  };
  for (const auto& c : cases) {
    auto a = Attributes::from_json(json::parse(c.json));
    ASSERT_FALSE(a.ok()) << c.json;
    EXPECT_NE(a.error().find(c.expected), std::string::npos) << c.json << " -> " << a.error();
  }
}

TEST(Attributes, AddRejectsDuplicatesAndBadNames) {
  Attributes a;
  EXPECT_TRUE(a.add({"rack", Text{"r1"}}).ok());
  EXPECT_FALSE(a.add({"rack", Text{"r2"}}).ok());
  EXPECT_FALSE(a.add({"a:b", Text{"x"}}).ok());
  EXPECT_EQ(a.size(), 1u);
}

TEST(Attributes, EqualityIgnoresOrder) {
  EXPECT_EQ(parse_ok("a:1;b:x"), parse_ok("b:x;a:1"));
  EXPECT_FALSE(parse_ok("a:1;b:x") == parse_ok("a:1;b:y"));
  EXPECT_FALSE(parse_ok("a:1") == parse_ok("a:1;b:y"));
}

}  // namespace
}  // namespace cairn
