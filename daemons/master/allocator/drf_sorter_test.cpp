#include "daemons/master/allocator/drf_sorter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::master {
namespace {

// ids 0: cpus, 1: mem
Quantities q(int64_t cpus, int64_t mem) {
  Quantities out;
  out.add(0, cpus * 1000);
  out.add(1, mem * 1000);
  return out;
}

std::vector<std::string> order(DrfSorter& sorter) {
  std::vector<std::string> out;
  for (const auto& e : sorter.sorted())
    out.push_back(*e.name);
  return out;
}

TEST(Quantities, SubtractionStopsAtZero) {
  Quantities a = q(2, 10);
  a -= q(5, 4);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[1], 6000);
  EXPECT_TRUE(q(2, 2).covers(q(1, 2)));
  EXPECT_FALSE(q(2, 2).covers(q(3, 0)));
  EXPECT_TRUE((q(1, 1) - q(1, 1)).is_zero());
  EXPECT_EQ(a[99], 0);
}

TEST(ResourceNames, SumsScalarsPerName) {
  ResourceNames names;
  auto r = Resources::parse("cpus:2;mem:100;cpus(prod):1;ports:[1-5]");
  ASSERT_TRUE(r.ok());
  Quantities s = names.scalars(*r);
  EXPECT_EQ(s[names.intern("cpus")], 3000);
  EXPECT_EQ(s[names.intern("mem")], 100000);
  EXPECT_EQ(names.size(), 2u);  // ports is not a scalar
}

TEST(DrfSorter, OrdersByDominantShareThenName) {
  DrfSorter sorter;
  sorter.set_total(q(100, 1000));
  for (auto [id, name] : {std::pair{1u, "b"}, {2u, "a"}, {3u, "c"}}) {
    sorter.add(id, name);
    sorter.activate(id);
  }
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"a", "b", "c"}));
  sorter.allocated(2, q(10, 0));  // a: 10% cpu
  sorter.allocated(1, q(0, 50));  // b: 5% mem
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_DOUBLE_EQ(sorter.share(2), 0.1);
  sorter.unallocated(2, q(10, 0));
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"a", "c", "b"}));
}

TEST(DrfSorter, WeightsDivideShares) {
  DrfSorter sorter;
  sorter.set_total(q(100, 1000));
  sorter.add(1, "prod");
  sorter.add(2, "dev");
  sorter.activate(1);
  sorter.activate(2);
  sorter.set_weight(1, 3.0);
  sorter.allocated(1, q(30, 0));
  sorter.allocated(2, q(10, 0));
  EXPECT_DOUBLE_EQ(sorter.share(1), 0.1);
  EXPECT_DOUBLE_EQ(sorter.share(2), 0.1);
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"dev", "prod"}));  // tie: by name
  sorter.set_weight(1, 0.0);                                            // ignored
  sorter.set_weight(1, -1.0);
  EXPECT_DOUBLE_EQ(sorter.share(1), 0.1);
}

TEST(DrfSorter, InactiveClientsKeepAllocationButAreNotOrdered) {
  DrfSorter sorter;
  sorter.set_total(q(10, 10));
  sorter.add(1, "x");
  EXPECT_FALSE(sorter.has_active());
  sorter.allocated(1, q(5, 0));
  sorter.activate(1);
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"x"}));
  EXPECT_DOUBLE_EQ(sorter.share(1), 0.5);
  sorter.deactivate(1);
  EXPECT_TRUE(order(sorter).empty());
  EXPECT_EQ(sorter.allocation(1), q(5, 0));
  sorter.remove(1);
  EXPECT_FALSE(sorter.contains(1));
  EXPECT_TRUE(sorter.allocation(1).is_zero());
  sorter.remove(1);  // unknown: ignored
  sorter.allocated(7, q(1, 1));
  EXPECT_EQ(sorter.size(), 0u);
}

TEST(DrfSorter, NewTotalReordersEveryone) {
  DrfSorter sorter;
  sorter.set_total(q(10, 100));
  sorter.add(1, "cpu-heavy");
  sorter.add(2, "mem-heavy");
  sorter.activate(1);
  sorter.activate(2);
  sorter.allocated(1, q(5, 0));   // 50% cpu
  sorter.allocated(2, q(0, 40));  // 40% mem
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"mem-heavy", "cpu-heavy"}));
  sorter.set_total(q(100, 100));  // cpu-heavy now 5%
  EXPECT_EQ(order(sorter), (std::vector<std::string>{"cpu-heavy", "mem-heavy"}));
  // Names with no total do not count.
  sorter.set_total(q(0, 100));
  EXPECT_DOUBLE_EQ(sorter.share(1), 0.0);
}

}  // namespace
}  // namespace cairn::master
