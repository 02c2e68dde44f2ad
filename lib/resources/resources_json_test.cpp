#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "lib/resources/resources.hpp"

namespace cairn {
namespace {

using json = nlohmann::json;

Resources from_json_ok(const std::string& text) {
  auto r = Resources::from_json(json::parse(text));
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : Resources();
}

std::string from_json_error(const std::string& text) {
  auto r = Resources::from_json(json::parse(text));
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.error();
}

Resources sample() {
  Resources r = *Resources::parse("cpus:8;mem:16384;ports:[31000-32000];disks:{a,b};cpus(prod):4");
  Resource dynamic =
      Resource::dynamically_reserved("mem", *Scalar::parse("512"), "eng/web", "ops", {{"k", "v"}});
  Resource anonymous = Resource::dynamically_reserved("disk", *Scalar::parse("10"), "eng");
  Resource allocated = Resource::unreserved("gpus", *Scalar::parse("1"));
  allocated.allocation_role = "prod";
  return r + dynamic + anonymous + allocated;
}

TEST(ResourcesJson, WritesTheV1ShapeMesosFrameworksExpect) {
  json out = (*Resources::parse("cpus:8;ports:[31000-32000];disks:{a,b};mem(prod):1")).to_json();
  EXPECT_EQ(out, json::parse(R"([
    {"name":"cpus","type":"SCALAR","scalar":{"value":8.0},"role":"*"},
    {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"role":"*"},
    {"name":"disks","type":"SET","set":{"item":["a","b"]},"role":"*"},
    {"name":"mem","type":"SCALAR","scalar":{"value":1.0},"role":"prod"}
  ])"));
}

TEST(ResourcesJson, DynamicReservationAndAllocationInEachFormat) {
  Resource r =
      Resource::dynamically_reserved("cpus", *Scalar::parse("0.5"), "prod", "ops", {{"k", "v"}});
  r.allocation_role = "prod";
  EXPECT_EQ(r.to_json(ResourceFormat::kPreRefinement), json::parse(R"({
    "name":"cpus","type":"SCALAR","scalar":{"value":0.5},"role":"prod",
    "reservation":{"principal":"ops","labels":{"labels":[{"key":"k","value":"v"}]}},
    "allocation_info":{"role":"prod"}})"));
  EXPECT_EQ(r.to_json(ResourceFormat::kPostRefinement), json::parse(R"({
    "name":"cpus","type":"SCALAR","scalar":{"value":0.5},
    "reservations":[{"type":"DYNAMIC","role":"prod","principal":"ops",
                     "labels":{"labels":[{"key":"k","value":"v"}]}}],
    "allocation_info":{"role":"prod"}})"));
  json endpoint = r.to_json(ResourceFormat::kEndpoint);
  EXPECT_EQ(endpoint["role"], "prod");
  EXPECT_EQ(endpoint["reservation"]["principal"], "ops");
  EXPECT_EQ(endpoint["reservations"][0]["type"], "DYNAMIC");

  // Static reservations: no legacy "reservation" object.
  json fixed = Resource::reserved("cpus", *Scalar::parse("1"), "prod").to_json();
  EXPECT_FALSE(fixed.contains("reservation"));
  EXPECT_EQ(Resource::reserved("cpus", *Scalar::parse("1"), "prod")
                .to_json(ResourceFormat::kPostRefinement)["reservations"],
            json::parse(R"([{"type":"STATIC","role":"prod"}])"));
  // Unreserved in post format: no role at all.
  json unreserved =
      Resource::unreserved("cpus", *Scalar::parse("1")).to_json(ResourceFormat::kPostRefinement);
  EXPECT_FALSE(unreserved.contains("role"));
  EXPECT_FALSE(unreserved.contains("reservations"));
}

TEST(ResourcesJson, RoundTripsInAllThreeFormats) {
  const Resources r = sample();
  for (ResourceFormat f : {ResourceFormat::kPreRefinement, ResourceFormat::kPostRefinement,
                           ResourceFormat::kEndpoint}) {
    const json out = r.to_json(f);
    auto back = Resources::from_json(json::parse(out.dump()));
    ASSERT_TRUE(back.ok()) << back.error() << "\n" << out.dump();
    EXPECT_EQ(*back, r) << out.dump();
  }
}

TEST(ResourcesJson, ReadsLegacyAndRefinedReservations) {
  Resources legacy = from_json_ok(R"([
    {"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"prod",
     "reservation":{"principal":"ops"}},
    {"name":"mem","type":"SCALAR","scalar":{"value":64},"role":"prod"},
    {"name":"disk","type":"SCALAR","scalar":{"value":5}}])");
  Resources refined = from_json_ok(R"([
    {"name":"cpus","type":"SCALAR","scalar":{"value":2},
     "reservations":[{"type":"DYNAMIC","role":"prod","principal":"ops"}]},
    {"name":"mem","type":"SCALAR","scalar":{"value":64},
     "reservations":[{"type":"STATIC","role":"prod"}]},
    {"name":"disk","type":"SCALAR","scalar":{"value":5},"reservations":[]}])");
  EXPECT_EQ(legacy, refined);
  EXPECT_DOUBLE_EQ(legacy.unreserved().disk(), 5);
  const Resource& cpus = *legacy.begin();
  ASSERT_TRUE(cpus.is_dynamically_reserved());
  EXPECT_EQ(cpus.reservation->principal, "ops");
  EXPECT_EQ(legacy.reserved("prod").size(), 2u);
}

TEST(ResourcesJson, DefaultRoleAppliesOnlyWithoutRoleOrReservations) {
  auto r = Resources::from_json(json::parse(R"([
    {"name":"cpus","type":"SCALAR","scalar":{"value":1}},
    {"name":"mem","type":"SCALAR","scalar":{"value":1},"role":"*"}])"),
                                "prod");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_DOUBLE_EQ(r->reserved("prod").cpus(), 1);
  EXPECT_DOUBLE_EQ(r->unreserved().mem(), 1);
}

TEST(ResourcesJson, ErrorsGiveTheJsonPath) {
  struct Case {
    std::string json, expected;
  };
  const Case cases[] = {
      {R"({"name":"cpus"})", "expected an array of Resource objects, got an object"},
      {R"([5])", "at [0]: expected a Resource object, got 5"},
      {R"([{"type":"SCALAR","scalar":{"value":1}}])", "at [0].name: missing"},
      {R"([{"name":7,"type":"SCALAR","scalar":{"value":1}}])", "at [0].name: expected a string"},
      {R"([{"name":"a b","type":"SCALAR","scalar":{"value":1}}])", "whitespace"},
      {R"([{"name":"cpus","scalar":{"value":1}}])", "at [0].type: missing"},
      {R"([{"name":"cpus","type":"SCALER","scalar":{"value":1}}])",
       "unknown type \"SCALER\" (did you mean SCALAR?)"},
      {R"([{"name":"cpus","type":"TEXT","text":{"value":"x"}}])", "TEXT resources are not"},
      {R"([{"name":"cpus","type":"SCALAR"}])", "at [0].scalar: missing"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":"8"}}])",
       "at [0].scalar.value: expected a number, got \"8\""},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":"Infinity"}}])", "finite"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":-1}}])",
       "at [0].scalar.value: must be a non-negative number"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1e300}}])", "out of range"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"set":{"item":[]}}])",
       "at [0].set: not allowed when type is SCALAR"},
      {R"([{"name":"p","type":"RANGES","ranges":{"range":[{"begin":1}]}}])",
       "at [0].ranges.range[0].end: missing"},
      {R"([{"name":"p","type":"RANGES","ranges":{"range":[{"begin":-1,"end":2}]}}])",
       "at [0].ranges.range[0].begin: expected a non-negative integer, got -1"},
      {R"([{"name":"p","type":"RANGES","ranges":{"range":[{"begin":5,"end":3}]}}])",
       "begin 5 > end 3"},
      {R"([{"name":"p","type":"RANGES","ranges":{"range":[{"begin":1,"end":5},{"begin":4,"end":9}]}}])",
       "at [0].ranges.range: ranges [1-5] and [4-9] overlap"},
      {R"([{"name":"p","type":"RANGES","ranges":{"range":{}}}])",
       "at [0].ranges.range: expected an array"},
      {R"([{"name":"d","type":"SET","set":{"item":["a","a"]}}])", "duplicate item \"a\""},
      {R"([{"name":"d","type":"SET","set":{"item":[1]}}])",
       "at [0].set.item[0]: expected a string"},
      {R"([{"name":"d","type":"SET","set":{"item":["a,b"]}}])", "contains ','"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"-x"}])",
       "at [0].role: role '-x' is invalid"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":5}])",
       "at [0].role: expected a string"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*","reservation":{}}])",
       "role '*' cannot be dynamically reserved"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"a","reservation":5}])",
       "at [0].reservation: expected an object"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"a","reservation":{"labels":{"labels":[{"value":"v"}]}}}])",
       "at [0].reservation.labels.labels[0].key: missing"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservations":[{"role":"a"}]}])",
       "at [0].reservations[0].type: must be \"STATIC\" or \"DYNAMIC\""},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"STATIC","role":"*"}]}])",
       "at [0].reservations[0].role: a reservation cannot be for role '*'"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"STATIC","role":"a","principal":"p"}]}])",
       "a STATIC reservation has no principal"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"STATIC","role":"a"},{"type":"DYNAMIC","role":"a/b"}]}])",
       "reservation refinement"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"b","reservations":[{"type":"STATIC","role":"a"}]}])",
       "at [0].role: \"b\" does not match reservations[0].role \"a\""},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"allocation_info":{}}])",
       "at [0].allocation_info.role: missing"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1},"allocation_info":{"role":""}}])",
       "at [0].allocation_info.role: role '' is invalid"},
      {R"([{"name":"disk","type":"SCALAR","scalar":{"value":1},"disk":{"persistence":{"id":"x"}}}])",
       "at [0].disk: is not supported"},
      {R"([{"name":"cpus","type":"SCALAR","scalar":{"value":1}},{"name":"mem"}])", "at [1].type"},
  };
  for (const auto& c : cases) {
    const std::string error = from_json_error(c.json);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.json << "\n -> " << error;
  }
}

TEST(ResourcesJson, AcceptsIntegralDoublesForRangeBoundsAndIgnoresUnknownFields) {
  Resources r = from_json_ok(R"([{"name":"ports","type":"RANGES",
      "ranges":{"range":[{"begin":31000.0,"end":31001}]},"future_field":{"x":1}}])");
  EXPECT_EQ(r.to_string(), "ports:[31000-31001]");
  EXPECT_FALSE(
      Resources::from_json(
          json::parse(
              R"([{"name":"p","type":"RANGES","ranges":{"range":[{"begin":1.5,"end":2}]}}])"))
          .ok());
}

TEST(ResourcesParseJson, AgentFlagAcceptsAJsonArray) {
  auto r = Resources::parse(R"(  [{"name":"cpus","type":"SCALAR","scalar":{"value":4}},
      {"name":"ports","type":"RANGES","ranges":{"range":[{"begin":1,"end":9}]},"role":"prod"}] )");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->to_string(), "cpus:4;ports(prod):[1-9]");
  auto with_default =
      Resources::parse(R"([{"name":"cpus","type":"SCALAR","scalar":{"value":4}}])", "prod");
  EXPECT_EQ(with_default->to_string(), "cpus(prod):4");
}

TEST(ResourcesParseJson, AppliesMesosCommandLineRules) {
  auto bad_json = Resources::parse("[{\"name\":");
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.error().find("not valid JSON"), std::string::npos) << bad_json.error();

  auto dynamic = Resources::parse(
      R"([{"name":"cpus","type":"SCALAR","scalar":{"value":4},"role":"a","reservation":{}}])");
  ASSERT_FALSE(dynamic.ok());
  EXPECT_NE(dynamic.error().find("dynamic reservations cannot be given"), std::string::npos);

  auto allocated = Resources::parse(
      R"([{"name":"cpus","type":"SCALAR","scalar":{"value":4},"allocation_info":{"role":"a"}}])");
  ASSERT_FALSE(allocated.ok());
  EXPECT_NE(allocated.error().find("allocation_info"), std::string::npos);

  auto mixed = Resources::parse(R"([{"name":"x","type":"SCALAR","scalar":{"value":4}},
      {"name":"x","type":"SET","set":{"item":["a"]}}])");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().find("both SCALAR and SET"), std::string::npos);
}

TEST(ResourcesJson, DumpsEvenWithUnusualButValidText) {
  Resources r = *Resources::parse("caf\xc3\xa9:1;disks:{\xe2\x82\xac}");
  EXPECT_NO_THROW((void)r.to_json().dump());
  EXPECT_EQ(*Resources::from_json(json::parse(r.to_json().dump())), r);
  // Invalid UTF-8 never gets in, so dump() cannot throw later.
  EXPECT_FALSE(Resources::parse("caf\xff:1").ok());
}

}  // namespace
}  // namespace cairn
