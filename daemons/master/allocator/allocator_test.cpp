// The DRF allocator through the Allocator interface, as the master drives it.
// Time is passed explicitly; nothing here depends on the wall clock.
#include "daemons/master/allocator/allocator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace cairn::master {
namespace {

using std::chrono::seconds;

const TimePoint t0 = TimePoint() + std::chrono::hours(1);

Resources R(std::string_view text) {
  auto r = Resources::parse(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : Resources();
}

// `text` allocated to `role`, as offers carry it.
Resources A(std::string_view text, const std::string& role) {
  Resources out = R(text);
  out.allocate(role);
  return out;
}

AllocatorFramework fw(std::vector<std::string> roles, std::set<std::string> suppressed = {}) {
  return AllocatorFramework{std::move(roles), std::move(suppressed)};
}

// Every offer is non-empty, says which role each resource is allocated to,
// and names each (framework, agent) pair once.
void expect_well_formed(const std::vector<Allocation>& offers) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Allocation& a : offers) {
    EXPECT_FALSE(a.resources.empty()) << a.framework_id << "@" << a.agent_id;
    for (const Resource& r : a.resources)
      EXPECT_TRUE(r.allocation_role.has_value()) << r;
    EXPECT_TRUE(seen.emplace(a.framework_id, a.agent_id).second)
        << "two offers for " << a.framework_id << "@" << a.agent_id;
  }
}

std::vector<Allocation> cycle(Allocator& allocator, TimePoint now) {
  auto offers = allocator.allocate(now);
  expect_well_formed(offers);
  return offers;
}

// Sum of offered resources per framework.
std::map<std::string, Resources> by_framework(const std::vector<Allocation>& offers) {
  std::map<std::string, Resources> out;
  for (const Allocation& a : offers)
    out[a.framework_id] += a.resources;
  return out;
}

std::map<std::string, int> offer_counts(const std::vector<Allocation>& offers) {
  std::map<std::string, int> out;
  for (const Allocation& a : offers)
    ++out[a.framework_id];
  return out;
}

// A copy: roles() returns a fresh vector each time.
std::optional<RoleSummary> find_role(const std::vector<RoleSummary>& roles,
                                     const std::string& name) {
  for (const RoleSummary& r : roles) {
    if (r.role == name) return r;
  }
  return std::nullopt;
}

class AllocatorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Allocator> allocator = make_drf_allocator();
};

// --- 1. Mesos in Action, figure 4.1 ---

TEST_F(AllocatorTest, BookExampleOffersTheDeclinedRemainderToTheOtherFramework) {
  allocator->add_agent("agent1", R("cpus:8;mem:16384"), {});
  allocator->add_framework("A", fw({"analytics"}), {});
  allocator->add_framework("B", fw({"web"}), {});

  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "A");  // equal shares: role name decides
  EXPECT_EQ(offers[0].agent_id, "agent1");
  EXPECT_EQ(offers[0].resources, A("cpus:8;mem:16384", "analytics"));

  // A launches a task with cpus:2;mem:4096 and declines the rest for 5s.
  allocator->recover("A", "agent1", A("cpus:6;mem:12288", "analytics"), Duration::seconds(5), t0);
  EXPECT_EQ(allocator->available("agent1"), R("cpus:6;mem:12288"));

  offers = cycle(*allocator, t0 + seconds(1));
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "B");
  EXPECT_EQ(offers[0].resources, A("cpus:6;mem:12288", "web"));
  EXPECT_TRUE(allocator->available("agent1").empty());
}

// --- 2. DRF ---

TEST_F(AllocatorTest, LowerDominantShareIsOfferedFirst) {
  // X runs cpu-heavy tasks (4/9 cpus), Y mem-heavy ones (3072/8192 mem):
  // Y's dominant share is lower although its role sorts after X's.
  allocator->add_agent("x-agent", R("cpus:4;mem:1024"), {});
  allocator->add_agent("y-agent", R("cpus:1;mem:3072"), {});
  allocator->add_agent("free", R("cpus:4;mem:4096"), {});
  allocator->add_framework("X", fw({"a"}), {{"x-agent", A("cpus:4;mem:1024", "a")}});
  allocator->add_framework("Y", fw({"b"}), {{"y-agent", A("cpus:1;mem:3072", "b")}});

  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "Y");
  EXPECT_EQ(offers[0].resources, A("cpus:4;mem:4096", "b"));
}

TEST_F(AllocatorTest, SharesAreUpdatedAfterEveryGrant) {
  // X already holds a cpu-heavy agent (4/24 cpus). Ten identical agents then
  // alternate by dominant share: Y, Y, X, Y, X, Y, X, Y, X, Y.
  allocator->add_agent("busy", R("cpus:4;mem:512"), {});
  for (int i = 0; i < 10; ++i)
    allocator->add_agent("s" + std::to_string(i), R("cpus:2;mem:2048"), {});
  allocator->add_framework("X", fw({"x"}), {{"busy", A("cpus:4;mem:512", "x")}});
  allocator->add_framework("Y", fw({"y"}), {});

  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 10u);
  EXPECT_EQ(offers[0].framework_id, "Y");
  EXPECT_EQ(offers[1].framework_id, "Y");
  EXPECT_EQ(offers[2].framework_id, "X");
  EXPECT_EQ(offer_counts(offers), (std::map<std::string, int>{{"X", 4}, {"Y", 6}}));
}

TEST_F(AllocatorTest, FrameworksWithinARoleAreOrderedByTheirOwnShare) {
  allocator->add_agent("used", R("cpus:4;mem:4096"), {});
  allocator->add_agent("free", R("cpus:4;mem:4096"), {});
  // F1 sorts first by id but already holds a whole agent.
  allocator->add_framework("F1", fw({"r"}), {{"used", A("cpus:4;mem:4096", "r")}});
  allocator->add_framework("F2", fw({"r"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "F2");
}

// --- 3. Weights ---

TEST_F(AllocatorTest, WeightsSplitTheClusterInProportion) {
  allocator->update_weights({{"prod", 3.0}, {"dev", 1.0}});
  for (int i = 0; i < 12; ++i)
    allocator->add_agent("a" + std::to_string(i), R("cpus:4;mem:4096"), {});
  allocator->add_framework("P", fw({"prod"}), {});
  allocator->add_framework("D", fw({"dev"}), {});

  auto got = by_framework(cycle(*allocator, t0));
  EXPECT_DOUBLE_EQ(got["P"].cpus(), 36);
  EXPECT_DOUBLE_EQ(got["D"].cpus(), 12);
}

// --- 4. Static reservations ---

TEST_F(AllocatorTest, StaticReservationsGoOnlyToTheirRole) {
  allocator->add_agent("agent", R("cpus:4;mem:1024;cpus(prod):8"), {});
  allocator->add_framework("D", fw({"dev"}), {});
  allocator->add_framework("P", fw({"prod"}), {});

  auto got = by_framework(cycle(*allocator, t0));
  // dev sorts first and may take only the unreserved part; prod gets its own.
  EXPECT_EQ(got["D"], A("cpus:4;mem:1024", "dev"));
  EXPECT_EQ(got["P"], A("cpus(prod):8", "prod"));
}

TEST_F(AllocatorTest, ReservedResourcesWaitForTheirRole) {
  allocator->add_agent("agent", R("cpus:2;cpus(prod):8"), {});
  allocator->add_framework("D", fw({"dev"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].resources, A("cpus:2", "dev"));
  EXPECT_EQ(allocator->available("agent"), R("cpus(prod):8"));
  EXPECT_TRUE(cycle(*allocator, t0).empty());
}

TEST_F(AllocatorTest, SlavePublicResourcesGoOnlyToSlavePublicFrameworks) {
  allocator->add_agent("public-agent",
                       R("cpus:1;mem:128;cpus(slave_public):2;ports(slave_public):[80-80,443-443]"),
                       {});
  allocator->add_framework("app", fw({"dev"}), {});
  auto got = by_framework(cycle(*allocator, t0));
  EXPECT_EQ(got["app"], A("cpus:1;mem:128", "dev"));

  allocator->add_framework("edge", fw({"slave_public"}), {});
  got = by_framework(cycle(*allocator, t0));
  EXPECT_EQ(got["edge"],
            A("cpus(slave_public):2;ports(slave_public):[80-80,443-443]", "slave_public"));
  EXPECT_EQ(got.count("app"), 0u);
}

// --- 5. Dynamic reservations ---

Resources reserved_for_prod(int64_t cpus, int64_t mem) {
  Resources out{
      Resource::dynamically_reserved("cpus", Scalar::from_thousandths(cpus * 1000), "prod", "ops"),
      Resource::dynamically_reserved("mem", Scalar::from_thousandths(mem * 1000), "prod", "ops")};
  return out;
}

TEST_F(AllocatorTest, ReserveInAnAcceptKeepsTotalsAndReturnsToTheRole) {
  allocator->add_agent("agent", R("cpus:8;mem:4096"), {});
  allocator->add_framework("P", fw({"prod"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);

  // ACCEPT with RESERVE cpus:4;mem:1024 for prod.
  Resources reserved = reserved_for_prod(4, 1024);
  Resources reserved_offer = reserved;
  reserved_offer.allocate("prod");
  allocator->update_allocation("P", "agent", A("cpus:4;mem:1024", "prod"), reserved_offer);
  const auto prod = find_role(allocator->roles(), "prod");
  ASSERT_TRUE(prod);
  EXPECT_EQ(prod.value().allocated, A("cpus:4;mem:3072", "prod") + reserved_offer);
  EXPECT_TRUE(allocator->available("agent").empty());

  // Everything comes back: the agent's total now holds the reservation.
  allocator->recover("P", "agent", A("cpus:4;mem:3072", "prod") + reserved_offer, std::nullopt, t0);
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:3072") + reserved);

  // dev gets only the unreserved part while prod is suppressed ...
  allocator->add_framework("D", fw({"dev"}), {});
  allocator->suppress("P", {});
  auto got = by_framework(cycle(*allocator, t0));
  EXPECT_EQ(got["D"], A("cpus:4;mem:3072", "dev"));
  EXPECT_EQ(got.count("P"), 0u);
  EXPECT_EQ(allocator->available("agent"), reserved);

  // ... and the reservation goes to prod once it asks again.
  allocator->revive("P", {});
  got = by_framework(cycle(*allocator, t0));
  EXPECT_EQ(got["P"], reserved_offer);
  EXPECT_TRUE(allocator->available("agent").empty());
}

TEST_F(AllocatorTest, UnreserveInAnAcceptGoesBackToEveryone) {
  Resources reserved = reserved_for_prod(2, 512);
  allocator->add_agent("agent", reserved + R("cpus:2"), {});
  allocator->add_framework("P", fw({"prod"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  Resources reserved_offer = reserved;
  reserved_offer.allocate("prod");
  allocator->update_allocation("P", "agent", reserved_offer, A("cpus:2;mem:512", "prod"));
  allocator->remove_framework("P");
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:512"));
  allocator->add_framework("D", fw({"dev"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["D"], A("cpus:4;mem:512", "dev"));
}

// --- 6. Quota ---

TEST_F(AllocatorTest, QuotaIsMetBeforeAHeavierWeightedRole) {
  allocator->update_weights({{"heavy", 10.0}});
  allocator->update_quota("q", R("cpus:4"));
  for (int i = 0; i < 4; ++i)
    allocator->add_agent("a" + std::to_string(i), R("cpus:2;mem:1024"), {});
  allocator->add_framework("H", fw({"heavy"}), {});
  allocator->add_framework("Q", fw({"q"}), {});

  auto got = by_framework(cycle(*allocator, t0));
  EXPECT_DOUBLE_EQ(got["Q"].cpus(), 4);
  EXPECT_DOUBLE_EQ(got["H"].cpus(), 4);
}

TEST_F(AllocatorTest, WithoutQuotaTheHeavierRoleWins) {
  // The control for the test above.
  allocator->update_weights({{"heavy", 10.0}});
  for (int i = 0; i < 4; ++i)
    allocator->add_agent("a" + std::to_string(i), R("cpus:2;mem:1024"), {});
  allocator->add_framework("H", fw({"heavy"}), {});
  allocator->add_framework("Q", fw({"q"}), {});
  auto got = by_framework(cycle(*allocator, t0));
  EXPECT_DOUBLE_EQ(got["Q"].cpus(), 2);
  EXPECT_DOUBLE_EQ(got["H"].cpus(), 6);
}

TEST_F(AllocatorTest, QuotaOffersAreBoundedByTheUnmetGuarantee) {
  allocator->update_quota("q", R("cpus:2;mem:1024"));
  allocator->add_agent("agent", R("cpus:8;mem:4096;ports:[31000-31009]"), {});
  allocator->add_framework("Q", fw({"q"}), {});
  allocator->add_framework("H", fw({"other"}), {});
  auto got = by_framework(cycle(*allocator, t0));
  // ports are not in the guarantee: they go along with the quota offer.
  EXPECT_EQ(got["Q"], A("cpus:2;mem:1024;ports:[31000-31009]", "q"));
  EXPECT_EQ(got["H"], A("cpus:6;mem:3072", "other"));
}

TEST_F(AllocatorTest, HeadroomForUnmetQuotaIsHeldBack) {
  allocator->update_quota("q", R("cpus:4"));
  for (int i = 0; i < 4; ++i)
    allocator->add_agent("a" + std::to_string(i), R("cpus:2;mem:1024"), {});
  allocator->add_framework("H", fw({"heavy"}), {});

  // No framework in q yet: H gets 4 of the 8 cpus, the rest is held back.
  auto got = by_framework(cycle(*allocator, t0));
  EXPECT_DOUBLE_EQ(got["H"].cpus(), 4);
  EXPECT_EQ(cycle(*allocator, t0).size(), 0u);

  allocator->add_framework("Q", fw({"q"}), {});
  got = by_framework(cycle(*allocator, t0));
  EXPECT_DOUBLE_EQ(got["Q"].cpus(), 4);
  EXPECT_EQ(got.count("H"), 0u);

  // Removing the quota releases the headroom.
  allocator->remove_framework("Q");
  allocator->update_quota("q", Resources());
  got = by_framework(cycle(*allocator, t0));
  EXPECT_DOUBLE_EQ(got["H"].cpus(), 4);
}

// --- 7. Filters ---

TEST_F(AllocatorTest, RefusedResourcesAreFilteredUntilTheFilterExpires) {
  allocator->add_agent("agent", R("cpus:4;mem:1024"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);

  allocator->recover("F", "agent", A("cpus:4;mem:1024", "r"), Duration::seconds(5), t0);
  EXPECT_TRUE(cycle(*allocator, t0 + seconds(1)).empty());
  auto offers = cycle(*allocator, t0 + seconds(6));
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].resources, A("cpus:4;mem:1024", "r"));

  // REVIVE clears the filter.
  allocator->recover("F", "agent", A("cpus:4;mem:1024", "r"), Duration::seconds(5), t0);
  EXPECT_TRUE(cycle(*allocator, t0 + seconds(1)).empty());
  allocator->revive("F", {});
  EXPECT_EQ(cycle(*allocator, t0 + seconds(1)).size(), 1u);

  // A refuse of zero (or none) sets no filter.
  allocator->recover("F", "agent", A("cpus:4;mem:1024", "r"), Duration::seconds(0), t0);
  EXPECT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->recover("F", "agent", A("cpus:4;mem:1024", "r"), std::nullopt, t0);
  EXPECT_EQ(cycle(*allocator, t0).size(), 1u);
}

TEST_F(AllocatorTest, AFilterCoversOnlyWhatWasRefused) {
  allocator->add_agent("agent", R("cpus:4;mem:1024"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  // F keeps cpus:2 for a task and refuses the rest.
  allocator->recover("F", "agent", A("cpus:2;mem:1024", "r"), Duration::seconds(5), t0);
  EXPECT_TRUE(cycle(*allocator, t0 + seconds(1)).empty());
  // The task ends: more is available than was refused, so it is offered.
  allocator->recover("F", "agent", A("cpus:2", "r"), std::nullopt, t0 + seconds(2));
  auto offers = cycle(*allocator, t0 + seconds(2));
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].resources, A("cpus:4;mem:1024", "r"));
}

TEST_F(AllocatorTest, AFilteredFrameworkLetsTheNextOneHaveTheOffer) {
  allocator->add_agent("agent", R("cpus:4;mem:1024"), {});
  allocator->add_framework("F1", fw({"r"}), {});
  allocator->add_framework("F2", fw({"r"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "F1");
  allocator->recover("F1", "agent", offers[0].resources, Duration::minutes(1), t0);
  offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "F2");
}

TEST_F(AllocatorTest, AFrameworkThatReconnectsStartsWithoutFilters) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->recover("F", "agent", A("cpus:4", "r"), Duration::minutes(1), t0);
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->deactivate_framework("F");
  allocator->activate_framework("F");
  EXPECT_EQ(cycle(*allocator, t0).size(), 1u);
}

TEST_F(AllocatorTest, ReviveOfOneRoleClearsOnlyThatRolesFilters) {
  allocator->add_agent("a1", R("cpus(x):1"), {});
  allocator->add_agent("a2", R("cpus(y):1"), {});
  allocator->add_framework("M", fw({"x", "y"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 2u);
  for (const Allocation& a : offers)
    allocator->recover("M", a.agent_id, a.resources, Duration::minutes(1), t0);
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->revive("M", {"y"});
  offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].agent_id, "a2");
  EXPECT_EQ(offers[0].resources, A("cpus(y):1", "y"));
}

// --- 8. Suppress, multi-role, activity, adding and removing ---

TEST_F(AllocatorTest, SuppressedFrameworksGetNoOffersUntilRevived) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}, {"r"}), {});  // subscribes suppressed
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->revive("F", {"r"});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->recover("F", "agent", A("cpus:4", "r"), std::nullopt, t0);
  allocator->suppress("F", {});
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->revive("F", {});
  EXPECT_EQ(cycle(*allocator, t0).size(), 1u);
}

TEST_F(AllocatorTest, MultiRoleFrameworkGetsOneOfferPerAgentWithRolesMarked) {
  allocator->add_agent("agent", R("cpus:2;mem:100;cpus(b):3"), {});
  allocator->add_framework("M", fw({"a", "b"}), {});
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "M");
  EXPECT_EQ(offers[0].resources, A("cpus:2;mem:100", "a") + A("cpus(b):3", "b"));

  // With role a suppressed, role b may use everything.
  allocator->recover("M", "agent", offers[0].resources, std::nullopt, t0);
  allocator->suppress("M", {"a"});
  offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].resources, A("cpus:2;mem:100;cpus(b):3", "b"));
}

TEST_F(AllocatorTest, UpdateFrameworkChangesRoles) {
  allocator->add_agent("agent", R("cpus:2;cpus(b):1"), {});
  allocator->add_framework("M", fw({"a"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["M"], A("cpus:2", "a"));
  allocator->update_framework("M", fw({"b"}));
  // Still holds the role-a offer; gets the b reservation now.
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["M"], A("cpus(b):1", "b"));
  const auto roles = allocator->roles();
  ASSERT_TRUE(find_role(roles, "a"));
  EXPECT_EQ(find_role(roles, "a").value().frameworks, std::vector<std::string>{"M"});
  // Once it gives the role-a resources back, it leaves role a.
  allocator->recover("M", "agent", A("cpus:2", "a"), std::nullopt, t0);
  EXPECT_FALSE(find_role(allocator->roles(), "a"));
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["M"], A("cpus:2", "b"));
}

TEST_F(AllocatorTest, InactiveAgentsAndFrameworksGetNothing) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {});
  allocator->deactivate_agent("agent");
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->activate_agent("agent");
  allocator->deactivate_framework("F");
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->activate_framework("F");
  EXPECT_EQ(cycle(*allocator, t0).size(), 1u);
}

TEST_F(AllocatorTest, RemovingAnAgentOrAFrameworkReleasesItsAllocations) {
  allocator->add_agent("agent", R("cpus:4;mem:512"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->remove_agent("agent");
  EXPECT_TRUE(find_role(allocator->roles(), "r")->allocated.empty());
  EXPECT_TRUE(allocator->available("agent").empty());

  allocator->add_agent("agent", R("cpus:4;mem:512"), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->remove_framework("F");
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:512"));
  EXPECT_FALSE(find_role(allocator->roles(), "r"));
  allocator->add_framework("G", fw({"s"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["G"], A("cpus:4;mem:512", "s"));
}

TEST_F(AllocatorTest, UsedResourcesFromAgentAndFrameworkAreCountedOnce) {
  // The agent re-registers first, reporting tasks of F, which is unknown yet.
  allocator->add_agent("agent", R("cpus:4;mem:1024"), {{"F", A("cpus:1;mem:256", "r")}});
  EXPECT_EQ(allocator->available("agent"), R("cpus:3;mem:768"));
  allocator->add_framework("G", fw({"s"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["G"], A("cpus:3;mem:768", "s"));
  allocator->recover("G", "agent", A("cpus:3;mem:768", "s"), std::nullopt, t0);

  // F re-registers with the same tasks.
  allocator->add_framework("F", fw({"r"}), {{"agent", A("cpus:1;mem:256", "r")}});
  EXPECT_EQ(allocator->available("agent"), R("cpus:3;mem:768"));
  const auto r = find_role(allocator->roles(), "r");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().allocated, A("cpus:1;mem:256", "r"));
  EXPECT_EQ(r.value().frameworks, std::vector<std::string>{"F"});
  // F's share (1/4 cpus) is higher than G's (0): G is offered first.
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].framework_id, "G");
}

TEST_F(AllocatorTest, FrameworkUsedOnAKnownAgentIsTracked) {
  allocator->add_agent("agent", R("cpus:4;mem:1024"), {});
  allocator->add_framework("F", fw({"r"}), {{"agent", A("cpus:2;mem:1024", "r")}});
  EXPECT_EQ(allocator->available("agent"), R("cpus:2"));
  allocator->remove_framework("F");
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:1024"));
}

TEST_F(AllocatorTest, UnknownFrameworkOnAnAgentLeavesWithTheAgent) {
  allocator->add_agent("agent", R("cpus:4"), {{"ghost", A("cpus:1", "r")}});
  EXPECT_TRUE(find_role(allocator->roles(), "r"));
  allocator->remove_agent("agent");
  EXPECT_FALSE(find_role(allocator->roles(), "r"));
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("ghost", fw({"r"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["ghost"], A("cpus:4", "r"));
}

TEST_F(AllocatorTest, AgentsAreNotSystematicallyFavoured) {
  // The agent order is shuffled every cycle: each agent comes first about
  // equally often (the first offer goes to the lowest-share framework).
  for (int i = 0; i < 4; ++i)
    allocator->add_agent("a" + std::to_string(i), R("cpus:1"), {});
  allocator->add_framework("F", fw({"r"}), {});
  std::map<std::string, int> first;
  for (int c = 0; c < 200; ++c) {
    auto offers = cycle(*allocator, t0);
    ASSERT_EQ(offers.size(), 4u);
    ++first[offers[0].agent_id];
    for (const Allocation& a : offers)
      allocator->recover("F", a.agent_id, a.resources, std::nullopt, t0);
  }
  for (int i = 0; i < 4; ++i)
    EXPECT_GT(first["a" + std::to_string(i)], 20) << i;
}

// --- 9. Introspection ---

TEST_F(AllocatorTest, RolesSummarisesWeightsQuotaFrameworksAndAllocations) {
  allocator->update_weights({{"weighted", 2.5}});
  allocator->add_agent("agent", R("cpus:4;mem:1024"), {});
  allocator->add_framework("F2", fw({"busy"}), {});
  allocator->add_framework("F1", fw({"busy"}, {"busy"}), {});
  allocator->suppress("F2", {});  // nobody gets anything
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->revive("F2", {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->update_quota("guaranteed", R("cpus:1;mem:64"));

  const auto roles = allocator->roles();
  ASSERT_EQ(roles.size(), 3u);
  EXPECT_EQ(roles[0].role, "busy");
  EXPECT_EQ(roles[0].frameworks, (std::vector<std::string>{"F1", "F2"}));
  EXPECT_EQ(roles[0].allocated, A("cpus:4;mem:1024", "busy"));
  EXPECT_DOUBLE_EQ(roles[0].weight, 1.0);
  EXPECT_TRUE(roles[0].guarantee.empty());
  EXPECT_EQ(roles[1].role, "guaranteed");
  EXPECT_EQ(roles[1].guarantee, R("cpus:1;mem:64"));
  EXPECT_TRUE(roles[1].frameworks.empty());
  EXPECT_EQ(roles[2].role, "weighted");
  EXPECT_DOUBLE_EQ(roles[2].weight, 2.5);

  EXPECT_TRUE(allocator->available("agent").empty());
  EXPECT_TRUE(allocator->available("nope").empty());
}

TEST_F(AllocatorTest, UpdateAgentTotalKeepsAllocations) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->update_agent_total("agent", R("cpus:6;mem:10"));
  EXPECT_EQ(allocator->available("agent"), R("cpus:2;mem:10"));
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["F"], A("cpus:2;mem:10", "r"));
}

// --- 10. Robustness ---

TEST_F(AllocatorTest, UnknownIdsAreIgnored) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {{"no-such-agent", A("cpus:1", "r")}});
  allocator->remove_agent("x");
  allocator->update_agent_total("x", R("cpus:1"));
  allocator->activate_agent("x");
  allocator->deactivate_agent("x");
  allocator->remove_framework("x");
  allocator->update_framework("x", fw({"r"}));
  allocator->activate_framework("x");
  allocator->deactivate_framework("x");
  allocator->recover("x", "agent", A("cpus:1", "r"), Duration::seconds(5), t0);
  allocator->recover("F", "x", A("cpus:1", "r"), Duration::seconds(5), t0);
  allocator->update_allocation("x", "agent", A("cpus:1", "r"), A("cpus:1", "r"));
  allocator->update_allocation("F", "x", A("cpus:1", "r"), A("cpus:1", "r"));
  allocator->suppress("x", {});
  allocator->revive("x", {"r"});
  allocator->suppress("F", {"not-my-role"});
  allocator->update_quota("*", R("cpus:1"));
  allocator->update_quota("bad role", R("cpus:1"));
  allocator->update_weights({{"r", 0.0}, {"r", -2.0}, {"", 2.0}});
  EXPECT_EQ(allocator->available("agent"), R("cpus:4"));
  auto offers = cycle(*allocator, t0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].resources, A("cpus:4", "r"));
  EXPECT_DOUBLE_EQ(find_role(allocator->roles(), "r")->weight, 1.0);
  EXPECT_FALSE(find_role(allocator->roles(), "*"));
}

TEST_F(AllocatorTest, RecoveringMoreThanAllocatedReleasesOnlyWhatIsHeld) {
  allocator->add_agent("agent", R("cpus:4;mem:100;ports:[1-10]"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->recover("F", "agent", A("cpus:100;mem:1;ports:[5-50];disk:7", "r"), std::nullopt, t0);
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:1;ports:[5-10]"));
  allocator->recover("F", "agent", A("cpus:100;mem:1000;ports:[1-100]", "r"), std::nullopt, t0);
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:100;ports:[1-10]"));
  // Again, with nothing held; and another role's resources.
  allocator->recover("F", "agent", A("cpus:1", "r"), Duration::seconds(1), t0);
  allocator->recover("F", "agent", A("cpus:1", "other"), std::nullopt, t0);
  EXPECT_EQ(allocator->available("agent"), R("cpus:4;mem:100;ports:[1-10]"));
  EXPECT_TRUE(find_role(allocator->roles(), "r")->allocated.empty());
}

TEST_F(AllocatorTest, ResourcesWithoutAllocationRoleAreMatchedToWhatIsHeld) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->recover("F", "agent", R("cpus:3"), std::nullopt, t0);
  EXPECT_EQ(allocator->available("agent"), R("cpus:3"));
  EXPECT_EQ(find_role(allocator->roles(), "r")->allocated, A("cpus:1", "r"));
}

TEST_F(AllocatorTest, EmptyResourcesNeverMakeAnOffer) {
  allocator->add_agent("empty", Resources(), {});
  allocator->add_agent("zero", R("cpus:0;mem:0"), {});
  allocator->add_framework("F", fw({"r"}), {});
  allocator->add_framework("nobody", fw({}), {});
  EXPECT_TRUE(cycle(*allocator, t0).empty());
  allocator->recover("F", "empty", Resources(), Duration::seconds(5), t0);
  allocator->update_allocation("F", "empty", Resources(), A("cpus:1", "r"));
  EXPECT_TRUE(allocator->available("empty").empty());
  EXPECT_TRUE(cycle(*allocator, t0).empty());
}

TEST_F(AllocatorTest, UpdateAllocationOfSomethingNotHeldIsIgnored) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  allocator->update_allocation("F", "agent", A("cpus:5", "r"), A("mem:5", "r"));
  EXPECT_EQ(find_role(allocator->roles(), "r")->allocated, A("cpus:4", "r"));
  EXPECT_TRUE(allocator->available("agent").empty());
}

TEST_F(AllocatorTest, DuplicateAddsReplace) {
  allocator->add_agent("agent", R("cpus:4"), {});
  allocator->add_framework("F", fw({"r"}), {});
  ASSERT_EQ(cycle(*allocator, t0).size(), 1u);
  // The agent comes back with a new total and nothing running.
  allocator->add_agent("agent", R("cpus:2"), {});
  EXPECT_EQ(allocator->available("agent"), R("cpus:2"));
  EXPECT_TRUE(find_role(allocator->roles(), "r")->allocated.empty());
  // The framework again, now in another role.
  allocator->add_framework("F", fw({"s"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["F"], A("cpus:2", "s"));
  EXPECT_FALSE(find_role(allocator->roles(), "r"));
}

TEST_F(AllocatorTest, HierarchicalReservationsReachChildRoles) {
  allocator->add_agent("agent", R("cpus(eng):2"), {});
  allocator->add_framework("W", fw({"eng/web"}), {});
  EXPECT_EQ(by_framework(cycle(*allocator, t0))["W"], A("cpus(eng):2", "eng/web"));
}

// --- Invariants under random operations ---

TEST(AllocatorInvariants, BookkeepingStaysConsistentUnderRandomOperations) {
  // The test keeps its own record of what each framework holds on each agent
  // and checks, after every step, that available + held == total per agent,
  // that roles() reports what is held, and that no offer ever exceeds what
  // was available.
  auto allocator = make_drf_allocator();
  std::mt19937 rng(42);
  auto pick = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };

  const std::vector<std::string> agent_totals = {
      "cpus:8;mem:8192;ports:[31000-31099]", "cpus:4;mem:2048;cpus(prod):4",
      "cpus:2;mem:1024;cpus(slave_public):2;mem(slave_public):512", "cpus(dev):2;mem(dev):256"};
  const std::vector<std::vector<std::string>> framework_roles = {
      {"prod"}, {"dev"}, {"prod", "dev"}, {"slave_public"}, {"batch"}, {"batch", "prod"}};
  std::vector<std::string> agents, frameworks;
  std::map<std::string, Resources> totals;
  for (int i = 0; i < 12; ++i) {
    agents.push_back("agent" + std::to_string(i));
    totals[agents.back()] = R(agent_totals[i % agent_totals.size()]);
    allocator->add_agent(agents.back(), totals[agents.back()], {});
  }
  for (size_t i = 0; i < framework_roles.size(); ++i) {
    frameworks.push_back("fw" + std::to_string(i));
    allocator->add_framework(frameworks.back(), fw(framework_roles[i]), {});
  }
  std::map<std::pair<std::string, std::string>, Resources> held;  // (framework, agent)

  auto check = [&](int step) {
    for (const std::string& agent : agents) {
      Resources sum = allocator->available(agent);
      for (const auto& [key, resources] : held) {
        if (key.second == agent) {
          Resources plain = resources;
          plain.unallocate();
          sum += plain;
        }
      }
      ASSERT_EQ(sum, totals[agent]) << "step " << step << " agent " << agent;
    }
    std::map<std::string, double> cpus_by_role;
    for (const auto& [key, resources] : held) {
      for (const auto& [role, part] : resources.allocations())
        cpus_by_role[role] += part.cpus();
    }
    for (const RoleSummary& role : allocator->roles())
      ASSERT_DOUBLE_EQ(role.allocated.cpus(), cpus_by_role[role.role])
          << "step " << step << " role " << role.role;
  };

  TimePoint now = t0;
  size_t offers_made = 0;
  for (int step = 0; step < 3000; ++step) {
    now += std::chrono::milliseconds(500);
    switch (pick(10)) {
      case 0:
      case 1:
      case 2: {
        std::map<std::string, Resources> before;
        for (const std::string& agent : agents)
          before[agent] = allocator->available(agent);
        for (const Allocation& offer : cycle(*allocator, now)) {
          Resources plain = offer.resources;
          plain.unallocate();
          ASSERT_TRUE(before[offer.agent_id].contains(plain)) << "step " << step;
          held[{offer.framework_id, offer.agent_id}] += offer.resources;
          ++offers_made;
        }
        break;
      }
      case 3:
      case 4:
      case 5: {  // give back some or all of a holding, maybe with a filter
        if (held.empty()) break;
        auto it = std::next(held.begin(), static_cast<long>(pick(held.size())));
        Resources back = it->second;
        if (pick(2) == 0) back = back.filter([&](const Resource&) { return pick(2) == 0; });
        std::optional<Duration> refuse;
        if (pick(2) == 0) refuse = Duration::seconds(static_cast<int64_t>(pick(4)));
        allocator->recover(it->first.first, it->first.second, back, refuse, now);
        it->second -= back;
        if (it->second.empty()) held.erase(it);
        break;
      }
      case 6: {
        const std::string& f = frameworks[pick(frameworks.size())];
        const auto& roles = framework_roles[pick(framework_roles.size())];
        switch (pick(4)) {
          case 0:
            allocator->suppress(f, pick(2) ? std::set<std::string>{} : std::set{roles[0]});
            break;
          case 1:
            allocator->revive(f, pick(2) ? std::set<std::string>{} : std::set{roles[0]});
            break;
          case 2:
            allocator->deactivate_framework(f);
            break;
          default:
            allocator->activate_framework(f);
        }
        break;
      }
      case 7: {
        const std::string& a = agents[pick(agents.size())];
        if (pick(2)) {
          allocator->deactivate_agent(a);
        } else {
          allocator->activate_agent(a);
        }
        break;
      }
      case 8: {  // a framework leaves and comes back with what it still runs
        const std::string& f = frameworks[pick(frameworks.size())];
        std::map<std::string, Resources> used;
        for (const auto& [key, resources] : held) {
          if (key.first == f) used[key.second] = resources;
        }
        allocator->remove_framework(f);
        const size_t index = static_cast<size_t>(std::stoi(f.substr(2)));
        allocator->add_framework(f, fw(framework_roles[index]), used);
        break;
      }
      default: {  // policy changes
        if (pick(2)) {
          allocator->update_weights({{"prod", 1.0 + static_cast<double>(pick(4))}});
        } else {
          allocator->update_quota("batch", pick(3) ? R("cpus:6;mem:2048") : Resources());
        }
      }
    }
    check(step);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(offers_made, 300u);  // the walk did exercise allocation
}

}  // namespace
}  // namespace cairn::master
