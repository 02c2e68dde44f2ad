// OfferFilters: one framework's refusal filters (Mesos' RefusedOfferFilter).
//
// When a framework declines resources of an agent with `refuse_seconds`, it
// is not offered those resources of that agent again until the filter
// expires: an offer is filtered when a live filter for the same agent and role
// contains everything that would be offered. Smaller offers are thus
// filtered too; larger ones (resources freed since) are not. Filters are kept
// per role, as in Mesos 1.x, so that REVIVE for one role clears only that
// role's filters. Expired filters are dropped lazily, when looked at.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemons/master/allocator/allocator.hpp"
#include "lib/resources/resources.hpp"

namespace cairn::master {

class OfferFilters {
 public:
  using AgentIndex = uint32_t;

  // `refused` carries allocation_role; it is split per role. A filter equal
  // to an existing one extends it rather than piling up.
  void add(AgentIndex agent, const Resources& refused, TimePoint expires, TimePoint now);

  // Whether `offer` (resources allocated to `role`) is covered by a live
  // filter of this agent.
  bool filtered(AgentIndex agent, const std::string& role, const Resources& offer, TimePoint now);

  // All filters, or those of the given roles.
  void clear() { by_agent_.clear(); }
  void clear_roles(const std::set<std::string>& roles);
  void remove_agent(AgentIndex agent) { by_agent_.erase(agent); }

  bool empty() const { return by_agent_.empty(); }
  // Filters held, live or not yet dropped.
  size_t size() const;

 private:
  struct Filter {
    std::string role;
    Resources resources;
    TimePoint expires;
  };
  std::unordered_map<AgentIndex, std::vector<Filter>> by_agent_;
};

}  // namespace cairn::master
