// Allocator: decides which framework is offered which agent's resources.
//
// The master owns one Allocator and calls it only from its event loop, so
// implementations need no locks. The master reports what happens (agents and
// frameworks come and go, offers are declined, tasks end) and asks for
// allocate() every --allocation_interval and after events that free
// resources; allocate() returns the offers to make, and the master turns each
// into an Offer with an id and a timeout. Everything the allocator hands out
// stays "allocated" (offered or used by tasks) until the master gives it back
// with recover(), exactly as in Mesos' allocator module contract.
//
// Time is passed in (allocate(now), recover(..., now)) so that filters and
// refusals are testable without sleeping.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/resources/resources.hpp"
#include "lib/units/duration.hpp"

namespace cairn::master {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// What the allocator needs to know about a framework.
struct AllocatorFramework {
  std::vector<std::string> roles;  // one or more (MULTI_ROLE); never empty
  // Roles for which the framework asked not to get offers (SUPPRESS).
  std::set<std::string> suppressed_roles;
};

// One offer to make: resources of one agent for one framework. Every
// resource carries allocation_role (the role it is allocated to).
struct Allocation {
  std::string framework_id;
  std::string agent_id;
  Resources resources;
};

// Per-role figures for GET_ROLES and /master/roles.
struct RoleSummary {
  std::string role;
  double weight = 1.0;
  Resources allocated;   // offered + used, across agents
  Resources guarantee;   // quota; empty when none
  std::vector<std::string> frameworks;
};

class Allocator {
 public:
  virtual ~Allocator() = default;

  // --- agents ---
  // `used` holds resources already allocated on the agent (tasks recovered
  // when an agent re-registers), each with allocation_role set, per framework.
  virtual void add_agent(const std::string& agent_id, const Resources& total,
                         const std::map<std::string, Resources>& used) = 0;
  virtual void remove_agent(const std::string& agent_id) = 0;
  // The agent's total changed (operator RESERVE/UNRESERVE); allocated
  // resources are unchanged.
  virtual void update_agent_total(const std::string& agent_id, const Resources& total) = 0;
  // Inactive agents (disconnected, unreachable) are not offered.
  virtual void activate_agent(const std::string& agent_id) = 0;
  virtual void deactivate_agent(const std::string& agent_id) = 0;

  // --- frameworks ---
  // `used` is per agent, as for add_agent.
  virtual void add_framework(const std::string& framework_id, const AllocatorFramework& framework,
                             const std::map<std::string, Resources>& used) = 0;
  virtual void remove_framework(const std::string& framework_id) = 0;
  virtual void update_framework(const std::string& framework_id,
                                const AllocatorFramework& framework) = 0;
  // Inactive (disconnected) frameworks get no offers but keep what they use.
  virtual void activate_framework(const std::string& framework_id) = 0;
  virtual void deactivate_framework(const std::string& framework_id) = 0;

  // --- offers and tasks ---
  // Resources given back: an offer declined, rescinded or partly accepted, a
  // task that ended. With `refuse`, the framework is not offered these
  // resources of this agent again until now + refuse (Mesos Filters;
  // refuse of zero or less sets no filter).
  virtual void recover(const std::string& framework_id, const std::string& agent_id,
                       const Resources& resources, std::optional<Duration> refuse,
                       TimePoint now) = 0;
  // Offered resources changed form (RESERVE/UNRESERVE in an ACCEPT): they
  // stay allocated to the framework. `from` must be allocated to it.
  virtual void update_allocation(const std::string& framework_id, const std::string& agent_id,
                                 const Resources& from, const Resources& to) = 0;
  // SUPPRESS / REVIVE for the given roles (empty: all of the framework's
  // roles). REVIVE also clears the framework's refusal filters.
  virtual void suppress(const std::string& framework_id, const std::set<std::string>& roles) = 0;
  virtual void revive(const std::string& framework_id, const std::set<std::string>& roles) = 0;

  // --- policy ---
  virtual void update_weights(const std::map<std::string, double>& weights) = 0;
  // Guaranteed resources for a role (scalars only); an empty guarantee
  // removes the quota.
  virtual void update_quota(const std::string& role, const Resources& guarantee) = 0;

  // One allocation cycle: quota guarantees first, then DRF over roles
  // (weighted) and within each role over frameworks, offering each eligible
  // framework everything of an agent it may use.
  virtual std::vector<Allocation> allocate(TimePoint now) = 0;

  // --- introspection ---
  virtual std::vector<RoleSummary> roles() const = 0;
  // Unallocated resources of an agent (what could still be offered).
  virtual Resources available(const std::string& agent_id) const = 0;
};

// Mesos' HierarchicalDRF allocator: roles compete by weighted dominant share,
// frameworks within a role by dominant share.
std::unique_ptr<Allocator> make_drf_allocator();

}  // namespace cairn::master
