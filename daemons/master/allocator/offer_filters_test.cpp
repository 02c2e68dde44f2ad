#include "daemons/master/allocator/offer_filters.hpp"

#include <gtest/gtest.h>

namespace cairn::master {
namespace {

Resources allocated(std::string_view text, const std::string& role) {
  auto r = Resources::parse(text);
  EXPECT_TRUE(r.ok()) << text;
  Resources out = r.ok() ? *r : Resources();
  out.allocate(role);
  return out;
}

const TimePoint t0 = TimePoint() + std::chrono::hours(1);

TEST(OfferFilters, CoversSmallerOffersUntilExpiry) {
  OfferFilters filters;
  filters.add(1, allocated("cpus:4;mem:100", "a"), t0 + std::chrono::seconds(5), t0);
  EXPECT_TRUE(filters.filtered(1, "a", allocated("cpus:4;mem:100", "a"), t0));
  EXPECT_TRUE(filters.filtered(1, "a", allocated("cpus:1", "a"), t0 + std::chrono::seconds(4)));
  // More than was refused, another agent, another role: not filtered.
  EXPECT_FALSE(filters.filtered(1, "a", allocated("cpus:5", "a"), t0));
  EXPECT_FALSE(filters.filtered(2, "a", allocated("cpus:1", "a"), t0));
  EXPECT_FALSE(filters.filtered(1, "b", allocated("cpus:1", "b"), t0));
  // Expired: dropped when looked at.
  EXPECT_FALSE(filters.filtered(1, "a", allocated("cpus:1", "a"), t0 + std::chrono::seconds(5)));
  EXPECT_TRUE(filters.empty());
}

TEST(OfferFilters, SplitsPerRoleAndClearsByRole) {
  OfferFilters filters;
  Resources refused = allocated("cpus:1", "a") + allocated("cpus:2", "b");
  filters.add(1, refused, t0 + std::chrono::seconds(5), t0);
  EXPECT_EQ(filters.size(), 2u);
  EXPECT_TRUE(filters.filtered(1, "b", allocated("cpus:2", "b"), t0));
  filters.clear_roles({"b"});
  EXPECT_FALSE(filters.filtered(1, "b", allocated("cpus:2", "b"), t0));
  EXPECT_TRUE(filters.filtered(1, "a", allocated("cpus:1", "a"), t0));
  // The same refusal again extends rather than piles up.
  filters.add(1, allocated("cpus:1", "a"), t0 + std::chrono::seconds(50), t0);
  EXPECT_EQ(filters.size(), 1u);
  EXPECT_TRUE(filters.filtered(1, "a", allocated("cpus:1", "a"), t0 + std::chrono::seconds(20)));
  filters.remove_agent(1);
  EXPECT_TRUE(filters.empty());
  // Nothing refused, or already expired: no filter.
  filters.add(1, Resources(), t0 + std::chrono::seconds(5), t0);
  filters.add(1, allocated("cpus:1", "a"), t0, t0);
  EXPECT_TRUE(filters.empty());
}

}  // namespace
}  // namespace cairn::master
