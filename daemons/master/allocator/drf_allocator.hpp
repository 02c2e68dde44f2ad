// DrfAllocator: Mesos' hierarchical DRF allocator (HierarchicalDRFAllocator).
//
// Bookkeeping: every agent has a total and an allocation (offered + used, by
// framework and role); what is left is available. Roles compete by weighted
// dominant share in one DrfSorter, the frameworks of each role in another.
//
// allocate(now) runs Mesos' two stages over the active agents, in an order
// shuffled every cycle so that no agent is favoured:
//   1. Quota: roles whose guarantee is not met, lowest share first, are
//      offered unreserved resources up to the unmet guarantee (names the
//      guarantee does not mention, and the role's reservations, go along
//      whole).
//   2. Fair share: per agent, roles in DRF order, frameworks in DRF order
//      within the role; the first framework not filtered gets everything of
//      the agent its role may use. Unreserved resources still needed for
//      other roles' unmet guarantees (headroom) are held back.
// Shares are updated after every grant, so the next agent sees the new order.
//
// Frameworks seen only through resources they use (an agent re-registering
// with tasks of a framework that has not re-registered yet) are tracked
// inactive until add_framework(), so those resources are not offered again.
//
// Where this differs from Mesos 1.x, for simplicity:
//  - A quota is a guarantee, not a limit: quota roles also take part in
//    stage 2 (Mesos 1.x skips them there).
//  - Headroom counts unreserved resources only; a quota role's unallocated
//    reservations do not reduce it.
//  - Roles are sorted flat: `eng/web` may use resources reserved to `eng`,
//    but shares and weights are not aggregated up the hierarchy.
//  - update_weights() changes the roles it names; others keep theirs.
//  - Resources given without allocation_role (used, recover, update_allocation)
//    are matched against what the framework holds, or else given its first
//    role.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemons/master/allocator/allocator.hpp"
#include "daemons/master/allocator/drf_sorter.hpp"
#include "daemons/master/allocator/offer_filters.hpp"
#include "daemons/master/allocator/quantities.hpp"
#include "daemons/master/allocator/slot_table.hpp"

namespace cairn::master {

class DrfAllocator final : public Allocator {
 public:
  // `seed` drives the per-cycle agent order (fixed by default, so that runs
  // are reproducible).
  explicit DrfAllocator(uint64_t seed = 0x5eedULL);

  void add_agent(const std::string& agent_id, const Resources& total,
                 const std::map<std::string, Resources>& used) override;
  void remove_agent(const std::string& agent_id) override;
  void update_agent_total(const std::string& agent_id, const Resources& total) override;
  void activate_agent(const std::string& agent_id) override;
  void deactivate_agent(const std::string& agent_id) override;

  void add_framework(const std::string& framework_id, const AllocatorFramework& framework,
                     const std::map<std::string, Resources>& used) override;
  void remove_framework(const std::string& framework_id) override;
  void update_framework(const std::string& framework_id,
                        const AllocatorFramework& framework) override;
  void activate_framework(const std::string& framework_id) override;
  void deactivate_framework(const std::string& framework_id) override;

  void recover(const std::string& framework_id, const std::string& agent_id,
               const Resources& resources, std::optional<Duration> refuse, TimePoint now) override;
  void update_allocation(const std::string& framework_id, const std::string& agent_id,
                         const Resources& from, const Resources& to) override;
  void suppress(const std::string& framework_id, const std::set<std::string>& roles) override;
  void revive(const std::string& framework_id, const std::set<std::string>& roles) override;

  void update_weights(const std::map<std::string, double>& weights) override;
  void update_quota(const std::string& role, const Resources& guarantee) override;

  std::vector<Allocation> allocate(TimePoint now) override;

  std::vector<RoleSummary> roles() const override;
  Resources available(const std::string& agent_id) const override;

 private:
  using Index = uint32_t;

  struct Agent {
    std::string id;
    Resources total;      // without allocation roles
    Resources allocated;  // offered + used by everyone, without allocation roles
    Resources available;  // total - allocated, kept so allocate() need not recompute it
    Quantities total_scalars;
    bool active = true;
    std::vector<Index> frameworks;  // those holding resources here (few)
    size_t order_slot = 0;          // position in agent_order_
    // Offers made on this agent in cycle `offer_cycle`: (framework, index in
    // the cycle's list), so that a framework gets one offer per agent.
    uint64_t offer_cycle = 0;
    std::vector<std::pair<Index, size_t>> offer_slots;
  };

  struct Framework {
    std::string id;
    std::vector<std::string> roles;
    std::set<std::string> suppressed;
    bool registered = false;  // false: known only from resources it uses
    bool active = false;
    std::unordered_map<Index, Resources> allocated;  // by agent; with allocation roles
    std::set<Index> tracked_roles;                   // roles whose sorter holds it
    OfferFilters filters;
  };

  struct Role {
    std::string name;
    DrfSorter frameworks;  // subscribed, or holding resources allocated to the role
    Resources guarantee;   // quota (scalars); empty: none
    Quantities guarantee_scalars;
    uint64_t visited = 0;  // stage 2: the agent pass that last considered it
  };

  // The offers of one cycle, one per (framework, agent).
  struct Offers {
    uint64_t cycle = 0;
    std::vector<Allocation> list;
  };

  // --- bookkeeping ---
  Index role_of(const std::string& name);  // creates the role if needed
  void maybe_drop_role(Index role);
  Index framework_of(const std::string& id);  // creates an unregistered record if needed
  void set_subscriptions(Index framework, const AllocatorFramework& info);
  void track_role(Index framework, Index role);
  // Drops roles the framework no longer uses, and the framework itself when
  // it is unregistered and holds nothing.
  void tidy(Index framework);
  // Activity in the sorters follows registration, activation, subscription
  // and suppression.
  void refresh_activity(Index framework);
  void refresh_role_activity(Index role);

  void add_resources(Index framework, Index agent, const Resources& allocation);
  // Takes away what of `allocation` the framework holds; returns that part.
  Resources remove_resources(Index framework, Index agent, const Resources& allocation);
  void set_agent_total(Agent& agent, Resources total);
  static void refresh_available(Agent& agent) { agent.available = agent.total - agent.allocated; }
  void set_agent_active(Agent& agent, bool active);

  // --- allocation ---
  void sync_totals();
  Quantities unmet_quota(Index role) const;
  Quantities headroom() const;  // sum of unmet guarantees
  void quota_stage(TimePoint now, Offers& offers);
  void fair_share_stage(TimePoint now, Offers& offers);
  // What of `allocatable` stage 1 offers a role that still needs `need`.
  Resources quota_offer(const Resources& allocatable, const Role& role, const Quantities& need);
  // Offers `offer` to the first eligible framework of the role; whether one took it.
  bool offer_to_role(Index role, Index agent, const Resources& offer, TimePoint now,
                     Offers& offers);
  // `allocation` is `resources` allocated to the role.
  void grant(Index framework, Index role, Index agent, const Resources& resources,
             Resources allocation, Offers& offers);

  ResourceNames names_;
  SlotTable<Agent> agents_;
  SlotTable<Framework> frameworks_;
  SlotTable<Role> roles_;
  DrfSorter role_sorter_;
  std::map<std::string, double> weights_;
  std::set<Index> quota_roles_;
  Quantities cluster_total_;  // totals of active agents: the pool shares divide by
  bool totals_dirty_ = false;
  std::vector<Index> agent_order_;  // every agent; shuffled each cycle
  std::mt19937_64 rng_;
  uint64_t visit_stamp_ = 0;
  uint64_t cycle_ = 0;
};

}  // namespace cairn::master
