#include "lib/resources/resources.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace cairn {
namespace {

Resources parse_ok(std::string_view text, std::string_view default_role = "*") {
  auto r = Resources::parse(text, default_role);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : Resources();
}

std::string parse_error(std::string_view text) {
  auto r = Resources::parse(text);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r->to_string() : "");
  return r.ok() ? "" : r.error();
}

const char* kAgent =
    "cpus:8;mem:16384;disk:409600;ports:[31000-32000,40000-40010];disks:{ssd1,ssd2};cpus(prod):4";

TEST(ResourcesParse, ReadsTheMesosSyntax) {
  Resources r = parse_ok(kAgent);
  EXPECT_EQ(r.size(), 6u);
  EXPECT_DOUBLE_EQ(r.cpus(), 12);
  EXPECT_DOUBLE_EQ(r.unreserved().cpus(), 8);
  EXPECT_DOUBLE_EQ(r.reserved("prod").cpus(), 4);
  EXPECT_DOUBLE_EQ(r.mem(), 16384);
  EXPECT_DOUBLE_EQ(r.disk(), 409600);
  EXPECT_DOUBLE_EQ(r.gpus(), 0);
  EXPECT_EQ(r.ports().to_string(), "[31000-32000,40000-40010]");
  EXPECT_EQ(r.set("disks").to_string(), "{ssd1,ssd2}");
  EXPECT_EQ(r.to_string(), kAgent);
}

TEST(ResourcesParse, ToleratesWhitespaceAndEmptyTokensLikeMesos) {
  Resources r = parse_ok("  cpus : 8 ; mem(prod) :1024;; ports: [ 1 - 2 , 5-6 ] ;\n");
  EXPECT_EQ(r.to_string(), "cpus:8;mem(prod):1024;ports:[1-2,5-6]");
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok(" ; ").empty());
  EXPECT_EQ(parse_ok("cpus( prod ):1").to_string(), "cpus(prod):1");
}

TEST(ResourcesParse, MergesRepeatedNamesAndDropsZeros) {
  EXPECT_EQ(parse_ok("cpus:1;cpus:2.5").to_string(), "cpus:3.5");
  EXPECT_EQ(parse_ok("ports:[1-5];ports:[6-9]").to_string(), "ports:[1-9]");
  EXPECT_EQ(parse_ok("cpus:0;mem:0.0001;disks:{};ports:[]").to_string(), "");
  EXPECT_EQ(parse_ok("cpus(*):2").to_string(), "cpus:2");
}

TEST(ResourcesParse, DefaultRoleReservesUnlabelledEntries) {
  Resources r = parse_ok("cpus:2;mem(*):10;disk(other):5", "prod");
  EXPECT_DOUBLE_EQ(r.reserved("prod").cpus(), 2);
  EXPECT_DOUBLE_EQ(r.unreserved().mem(), 10);
  EXPECT_DOUBLE_EQ(r.reserved("other").disk(), 5);
  EXPECT_FALSE(Resources::parse("cpus:1", "bad role").ok());
  EXPECT_NE(Resources::parse("cpus:1", "-x").error().find("invalid default role"),
            std::string::npos);
}

TEST(ResourcesParse, EveryErrorNamesTheTokenAndWhatIsValid) {
  struct Case {
    std::string text, expected;
  };
  const Case cases[] = {
      {"cpus:-1", "invalid resource 'cpus:-1': scalar must be a non-negative number"},
      {"ports:[5-3]", "invalid ranges '[5-3]': begin 5 > end 3"},
      {"cpus", "invalid resource 'cpus': missing ':'; expected name:value"},
      {"cpus:1:2", "more than one ':'"},
      {":8", "invalid resource ':8': empty resource name"},
      {"(prod):8", "empty resource name"},
      {"cpus:", "missing value; expected a number, [ranges] or {set}"},
      {"cpus:abc", "value 'abc' is not a number, [ranges] or {set}"},
      {"cpus:1e13", "out of range"},
      {"cpus:1.2.3", "is not a number"},
      {"cpus(prod:1", "mismatched parentheses"},
      {"cpus)prod(:1", "mismatched parentheses"},
      {"cpus(prod)x:1", "unexpected 'x' after ')'"},
      {"cpus(-prod):1", "role '-prod' is invalid: component '-prod' starts with '-'"},
      {"cpus(a b):1", "whitespace"},
      {"cpus():1", "role '' is invalid: it is empty"},
      {"my cpus:1", "resource name 'my cpus' is invalid because it contains whitespace"},
      {"cp{us:1", "contains '{'"},
      {"disks:{a,a}", "duplicate item 'a'"},
      {"ports:[1-2", "missing closing ']'"},
      {"cpus:1;cpus:[1-2]", "resource 'cpus' is given as both SCALAR and RANGES"},
      {"cpus:1;mem:x", "invalid resource 'mem:x'"},
      {"cpus:1e12;cpus:1e12", "the total of 'cpus:2000000000000' is out of range"},
  };
  for (const auto& c : cases) {
    const std::string error = parse_error(c.text);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.text << " -> " << error;
  }
}

TEST(ResourcesParse, TextRoundTripsThroughToString) {
  for (std::string text :
       {std::string(kAgent), std::string("cpus(eng/web):0.001;mem(eng):1;gpus:2"),
        std::string("ports(prod):[0-0,18446744073709551615-18446744073709551615]"),
        std::string("cpus:1000000000000;x.y_z-1/2:7")}) {
    Resources r = parse_ok(text);
    EXPECT_EQ(parse_ok(r.to_string()), r) << text;
  }
}

TEST(ResourcesArithmetic, AddThenSubtractIsIdentity) {
  const Resources a = parse_ok(kAgent);
  // Ranges and sets are sets, so the identity needs b's ports disjoint from a's.
  const Resources b = parse_ok("cpus:0.5;mem:512;ports:[32001-32005,50000-50001];cpus(dev):1");
  EXPECT_EQ(a + b - b, a);
  EXPECT_EQ(b + a - a, b);
  EXPECT_TRUE((a + b).contains(a));
  EXPECT_TRUE((a + b).contains(b));
  EXPECT_TRUE((a - a).empty());
  EXPECT_TRUE(a.contains(a));
  EXPECT_TRUE(a.contains(Resources()));
  EXPECT_FALSE(Resources().contains(a));
}

TEST(ResourcesArithmetic, OverlappingRangesHaveSetSemanticsLikeMesos) {
  const Resources a = parse_ok("ports:[1-10]");
  const Resources b = parse_ok("ports:[5-15]");
  EXPECT_EQ(a + b, parse_ok("ports:[1-15]"));
  EXPECT_EQ(a + b - b, parse_ok("ports:[1-4]"));
}

TEST(ResourcesArithmetic, FixedPointScalarsAreExact) {
  Resources r;
  for (int i = 0; i < 10; ++i)
    r += Resource::unreserved("cpus", *Scalar::parse("0.1"));
  EXPECT_EQ(r, parse_ok("cpus:1"));
  r -= parse_ok("cpus:0.3");
  EXPECT_EQ(r.cpus(), 0.7);
  r -= parse_ok("cpus:0.7");
  EXPECT_TRUE(r.empty()) << r.to_string();
}

TEST(ResourcesArithmetic, SubtractingMoreThanPresentLeavesNothing) {
  Resources r = parse_ok("cpus:1;mem:10");
  r -= parse_ok("cpus:5");
  EXPECT_EQ(r.to_string(), "mem:10");
  r -= parse_ok("disk:5");  // not present: no-op
  EXPECT_EQ(r.to_string(), "mem:10");
}

TEST(ResourcesArithmetic, RangeDifferenceSplits) {
  Resources r = parse_ok("ports:[31000-32000]");
  r -= parse_ok("ports:[31100-31199]");
  EXPECT_EQ(r.to_string(), "ports:[31000-31099,31200-32000]");
  EXPECT_TRUE(r.contains(parse_ok("ports:[31000-31000,32000-32000]")));
  EXPECT_FALSE(r.contains(parse_ok("ports:[31150-31150]")));
  r += parse_ok("ports:[31100-31199]");
  EXPECT_EQ(r.to_string(), "ports:[31000-32000]");
}

TEST(ResourcesArithmetic, KindsDoNotMix) {
  Resources r = parse_ok("cpus:4;cpus(prod):2");
  EXPECT_FALSE(r.contains(parse_ok("cpus(prod):3")));
  EXPECT_TRUE(r.contains(parse_ok("cpus(prod):2;cpus:4")));
  EXPECT_FALSE(r.contains(parse_ok("cpus(dev):1")));
  // Same name, different types: separate entries.
  Resources mixed = r + Resource::unreserved("cpus", Set{"a"});
  EXPECT_EQ(mixed.size(), 3u);
  EXPECT_DOUBLE_EQ(mixed.cpus(), 6);
  EXPECT_EQ(mixed.set("cpus").to_string(), "{a}");
}

TEST(ResourcesArithmetic, SelfAssignmentOperators) {
  Resources r = parse_ok("cpus:1;ports:[1-2]");
  r += r;
  EXPECT_EQ(r.to_string(), "cpus:2;ports:[1-2]");
  r -= r;
  EXPECT_TRUE(r.empty());
}

TEST(ResourcesArithmetic, SingleResourceContainment) {
  Resources r = parse_ok("cpus:1;disks:{a,b}");
  EXPECT_TRUE(r.contains(Resource::unreserved("cpus", *Scalar::parse("1"))));
  EXPECT_FALSE(r.contains(Resource::unreserved("cpus", *Scalar::parse("1.001"))));
  EXPECT_TRUE(r.contains(Resource::unreserved("disks", Set{"b"})));
  EXPECT_FALSE(r.contains(Resource::unreserved("disks", Set{"c"})));
  EXPECT_TRUE(r.contains(Resource::unreserved("gpus", Scalar())));  // nothing is contained
}

TEST(ResourcesArithmetic, EqualityIgnoresOrder) {
  EXPECT_EQ(parse_ok("cpus:1;mem:2"), parse_ok("mem:2;cpus:1"));
  EXPECT_FALSE(parse_ok("cpus:1;mem:2") == parse_ok("cpus:1;mem:3"));
  EXPECT_FALSE(parse_ok("cpus:1") == parse_ok("cpus(prod):1"));
  EXPECT_FALSE(parse_ok("cpus:1") == parse_ok("cpus:1;mem:1"));
}

TEST(ResourcesFilters, ReservedUnreservedAndAllocatable) {
  Resources r = parse_ok("cpus:8;cpus(eng):4;cpus(eng/web):2;cpus(ops):1;mem:100");
  EXPECT_DOUBLE_EQ(r.unreserved().cpus(), 8);
  EXPECT_DOUBLE_EQ(r.reserved().cpus(), 7);
  EXPECT_DOUBLE_EQ(r.reserved("eng").cpus(), 4);
  EXPECT_DOUBLE_EQ(r.reserved("eng/web").cpus(), 2);
  EXPECT_DOUBLE_EQ(r.allocatable_to("eng/web").cpus(), 14);  // * + eng + eng/web
  EXPECT_DOUBLE_EQ(r.allocatable_to("eng").cpus(), 12);      // not the child's
  EXPECT_DOUBLE_EQ(r.allocatable_to("ops").cpus(), 9);
  EXPECT_DOUBLE_EQ(r.allocatable_to("engineering").cpus(), 8);
  auto by_role = r.reservations();
  ASSERT_EQ(by_role.size(), 3u);
  EXPECT_DOUBLE_EQ(by_role["eng/web"].cpus(), 2);
  auto big = r.filter([](const Resource& e) { return e.name == "mem"; });
  EXPECT_EQ(big.to_string(), "mem:100");
}

TEST(ResourcesAllocation, AllocateMarksEveryEntryAndMerges) {
  Resources r = parse_ok("cpus:2;mem:10;cpus(prod):1");
  r.allocate("prod");
  for (const Resource& e : r)
    EXPECT_EQ(e.allocation_role, "prod");
  EXPECT_DOUBLE_EQ(r.allocated_to("prod").cpus(), 3);
  EXPECT_EQ(r.allocations().size(), 1u);
  EXPECT_FALSE(parse_ok("cpus:2").contains(r));  // allocated is a different kind

  Resources other = parse_ok("cpus:1");
  other.allocate("dev");
  Resources both = r + other;
  EXPECT_EQ(both.allocations().size(), 2u);
  both.unallocate();
  EXPECT_EQ(both, parse_ok("cpus:3;mem:10;cpus(prod):1"));
  EXPECT_EQ(both.size(), 3u);  // the two unreserved cpus entries merged
}

TEST(ResourcesTotals, ScalarTotalsForDrf) {
  Resources r = parse_ok("cpus:8;cpus(prod):4;mem:1024;gpus:1;ports:[1-10]");
  auto totals = r.scalar_totals();
  EXPECT_EQ(totals.size(), 3u);
  EXPECT_DOUBLE_EQ(totals["cpus"], 12);
  EXPECT_DOUBLE_EQ(totals["mem"], 1024);
  EXPECT_DOUBLE_EQ(totals["gpus"], 1);
  EXPECT_EQ(r.scalar_total("cpus"), *Scalar::parse("12"));
  EXPECT_DOUBLE_EQ(r.scalar("ports"), 0);
}

TEST(ResourcesV0, FlatMapAlwaysHasCpusGpusMemDisk) {
  nlohmann::json v0 = Resources().to_v0_json();
  EXPECT_EQ(v0, nlohmann::json::parse(R"({"cpus":0.0,"gpus":0.0,"mem":0.0,"disk":0.0})"));
  EXPECT_TRUE(v0["cpus"].is_number_float());

  v0 = parse_ok("cpus:2;mem:1024;cpus(prod):0.5;ports:[31000-32000,33000-33001];disks:{b,a}")
           .to_v0_json();
  EXPECT_DOUBLE_EQ(v0["cpus"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(v0["mem"].get<double>(), 1024.0);
  EXPECT_DOUBLE_EQ(v0["disk"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(v0["gpus"].get<double>(), 0.0);
  EXPECT_EQ(v0["ports"], "[31000-32000, 33000-33001]");
  EXPECT_EQ(v0["disks"], "{a, b}");
}

TEST(ResourceToString, DynamicReservationsAndAllocationsPrintForHumans) {
  Resource r = Resource::dynamically_reserved("cpus", *Scalar::parse("4"), "prod", "ops",
                                              {{"k", "v"}, {"flag", std::nullopt}});
  r.allocation_role = "prod";
  EXPECT_EQ(r.to_string(), "cpus(prod, ops, {k: v, flag})(allocated: prod):4");
  // Not the text syntax, and parse says so rather than misreading it.
  EXPECT_FALSE(Resources::parse(r.to_string()).ok());
}

TEST(ResourceValidate, ChecksEveryField) {
  EXPECT_TRUE(Resource::reserved("cpus", Scalar(), "prod").validate().ok());
  EXPECT_FALSE(Resource::unreserved("", Scalar()).validate().ok());
  EXPECT_FALSE(Resource::unreserved("cpus", Scalar::from_thousandths(-1)).validate().ok());
  Resource bad_role = Resource::reserved("cpus", Scalar(), "a//b");
  EXPECT_FALSE(bad_role.validate().ok());
  Resource star = Resource::dynamically_reserved("cpus", Scalar(), "*");
  EXPECT_NE(star.validate().error().find("role '*'"), std::string::npos);
  Resource static_with_principal = Resource::reserved("cpus", Scalar(), "prod");
  static_with_principal.reservation->principal = "ops";
  EXPECT_FALSE(static_with_principal.validate().ok());
  Resource bad_alloc = Resource::unreserved("cpus", Scalar());
  bad_alloc.allocation_role = "..";
  EXPECT_NE(bad_alloc.validate().error().find("allocation role"), std::string::npos);
}

}  // namespace
}  // namespace cairn
