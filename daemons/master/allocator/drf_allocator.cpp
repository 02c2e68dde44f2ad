#include "daemons/master/allocator/drf_allocator.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include "lib/resources/role.hpp"

namespace cairn::master {

namespace {

// Mesos caps refuse_seconds at a year; it also keeps now + refuse in range.
constexpr Duration kMaxRefuse = Duration::hours(24 * 365);

Resources without_roles(Resources resources) {
  resources.unallocate();
  return resources;
}

Resources with_role(Resources resources, const std::string& role) {
  resources.allocate(role);
  return resources;
}

// Per kind, the smaller scalar, the shared ranges or the shared set items.
// Subtraction stops at nothing, so a - (a - b) is exactly that.
Resources common(const Resources& a, const Resources& b) {
  if (a.contains(b)) return b;  // the usual case, without the copies
  return a - (a - b);
}

// Calls fn(role, part) for each allocation role of `resources` (which all
// carry one); without building a map in the usual single-role case.
template <typename Fn>
void for_each_role(const Resources& resources, Fn&& fn) {
  if (resources.empty()) return;
  const std::optional<std::string>& first = resources.begin()->allocation_role;
  const bool one_role =
      std::all_of(resources.begin(), resources.end(),
                  [&first](const Resource& r) { return r.allocation_role == first; });
  if (one_role && first) {
    fn(*first, resources);
    return;
  }
  for (const auto& [role, part] : resources.allocations())
    fn(role, part);
}

void insert_unique(std::vector<uint32_t>& v, uint32_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

void erase_value(std::vector<uint32_t>& v, uint32_t x) {
  auto it = std::find(v.begin(), v.end(), x);
  if (it != v.end()) {
    *it = v.back();
    v.pop_back();
  }
}

// Entries without allocation_role get `role`.
Resources fill_roles(const Resources& resources, const std::string& role) {
  Resources out;
  for (Resource r : resources) {
    if (!r.allocation_role) r.allocation_role = role;
    out += r;
  }
  return out;
}

// `request` with allocation roles: entries that lack one are matched against
// what `held` holds, role by role; what matches nothing is dropped.
Resources attribute_roles(const Resources& request, const Resources& held) {
  if (std::all_of(request.begin(), request.end(),
                  [](const Resource& r) { return r.allocation_role.has_value(); })) {
    return request;
  }
  Resources out = request.filter([](const Resource& r) { return r.allocation_role.has_value(); });
  Resources rest = request.filter([](const Resource& r) { return !r.allocation_role; });
  if (rest.empty()) return out;
  for (const auto& [role, part] : held.allocations()) {
    const Resources take = common(without_roles(part), rest);
    rest -= take;
    out += with_role(take, role);
  }
  return out;
}

bool subscribed(const std::vector<std::string>& roles, const std::string& role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

TimePoint saturating_after(TimePoint now, Duration span) {
  const auto delta = std::chrono::duration_cast<Clock::duration>(span.chrono());
  if (now > TimePoint::max() - delta) return TimePoint::max();
  return now + delta;
}

}  // namespace

std::unique_ptr<Allocator> make_drf_allocator() {
  return std::make_unique<DrfAllocator>();
}

DrfAllocator::DrfAllocator(uint64_t seed) : rng_(seed) {}

// --- agents ---

void DrfAllocator::add_agent(const std::string& agent_id, const Resources& total,
                             const std::map<std::string, Resources>& used) {
  // A second add replaces the agent (as if it had been removed first).
  remove_agent(agent_id);
  const Index a = agents_.insert(agent_id);
  Agent& agent = agents_[a];
  agent.id = agent_id;
  agent.active = false;
  agent.order_slot = agent_order_.size();
  agent_order_.push_back(a);
  set_agent_total(agent, total);
  set_agent_active(agent, true);
  for (const auto& [framework_id, resources] : used) {
    if (resources.empty()) continue;
    const Index f = framework_of(framework_id);
    const Framework& fw = frameworks_[f];
    add_resources(f, a, fill_roles(resources, fw.roles.empty() ? "*" : fw.roles.front()));
    tidy(f);
  }
}

void DrfAllocator::remove_agent(const std::string& agent_id) {
  const Index* found = agents_.find(agent_id);
  if (!found) return;
  const Index a = *found;
  Agent& agent = agents_[a];
  const std::vector<Index> holders = agent.frameworks;
  for (const Index f : holders) {
    auto it = frameworks_[f].allocated.find(a);
    if (it != frameworks_[f].allocated.end()) remove_resources(f, a, Resources(it->second));
    tidy(f);
  }
  // The index is reused by the next agent: no filter may outlive this one.
  for (const auto& [id, f] : frameworks_.ids())
    frameworks_[f].filters.remove_agent(a);
  set_agent_active(agent, false);
  const size_t slot = agent.order_slot;
  agent_order_[slot] = agent_order_.back();
  agents_[agent_order_[slot]].order_slot = slot;
  agent_order_.pop_back();
  agents_.erase(agent_id);
}

void DrfAllocator::update_agent_total(const std::string& agent_id, const Resources& total) {
  if (const Index* a = agents_.find(agent_id)) set_agent_total(agents_[*a], total);
}

void DrfAllocator::activate_agent(const std::string& agent_id) {
  if (const Index* a = agents_.find(agent_id)) set_agent_active(agents_[*a], true);
}

void DrfAllocator::deactivate_agent(const std::string& agent_id) {
  if (const Index* a = agents_.find(agent_id)) set_agent_active(agents_[*a], false);
}

void DrfAllocator::set_agent_total(Agent& agent, Resources total) {
  total.unallocate();
  if (agent.active) {
    cluster_total_ -= agent.total_scalars;
    totals_dirty_ = true;
  }
  agent.total = std::move(total);
  agent.total_scalars = names_.scalars(agent.total);
  refresh_available(agent);
  if (agent.active) cluster_total_ += agent.total_scalars;
}

void DrfAllocator::set_agent_active(Agent& agent, bool active) {
  if (agent.active == active) return;
  agent.active = active;
  if (active) {
    cluster_total_ += agent.total_scalars;
  } else {
    cluster_total_ -= agent.total_scalars;
  }
  totals_dirty_ = true;
}

// --- frameworks ---

void DrfAllocator::add_framework(const std::string& framework_id,
                                 const AllocatorFramework& framework,
                                 const std::map<std::string, Resources>& used) {
  const Index f = framework_of(framework_id);
  {
    Framework& fw = frameworks_[f];
    fw.registered = true;
    fw.active = true;
  }
  set_subscriptions(f, framework);
  // `used` is the whole truth for each agent it names: an agent that
  // re-registered first has already reported the same resources.
  for (const auto& [agent_id, resources] : used) {
    const Index* a = agents_.find(agent_id);
    if (!a) continue;
    Framework& fw = frameworks_[f];
    if (auto it = fw.allocated.find(*a); it != fw.allocated.end()) {
      remove_resources(f, *a, Resources(it->second));
    }
    add_resources(f, *a, fill_roles(resources, fw.roles.empty() ? "*" : fw.roles.front()));
  }
  refresh_activity(f);
  tidy(f);
}

void DrfAllocator::remove_framework(const std::string& framework_id) {
  const Index* found = frameworks_.find(framework_id);
  if (!found) return;
  const Index f = *found;
  Framework& fw = frameworks_[f];
  const auto held = fw.allocated;
  for (const auto& [a, resources] : held)
    remove_resources(f, a, resources);
  for (const Index r : fw.tracked_roles) {
    roles_[r].frameworks.remove(f);
    refresh_role_activity(r);
  }
  const std::set<Index> roles = std::move(fw.tracked_roles);
  frameworks_.erase(framework_id);
  for (const Index r : roles)
    maybe_drop_role(r);
}

void DrfAllocator::update_framework(const std::string& framework_id,
                                    const AllocatorFramework& framework) {
  const Index* f = frameworks_.find(framework_id);
  if (!f || !frameworks_[*f].registered) return;
  set_subscriptions(*f, framework);
  tidy(*f);
}

void DrfAllocator::activate_framework(const std::string& framework_id) {
  const Index* f = frameworks_.find(framework_id);
  if (!f || !frameworks_[*f].registered) return;
  frameworks_[*f].active = true;
  refresh_activity(*f);
}

void DrfAllocator::deactivate_framework(const std::string& framework_id) {
  const Index* f = frameworks_.find(framework_id);
  if (!f) return;
  Framework& fw = frameworks_[*f];
  fw.active = false;
  // As Mesos: a framework that comes back starts without filters.
  fw.filters.clear();
  refresh_activity(*f);
}

void DrfAllocator::set_subscriptions(Index f, const AllocatorFramework& info) {
  Framework& fw = frameworks_[f];
  std::vector<std::string> roles;
  for (const std::string& role : info.roles) {
    if (!subscribed(roles, role)) roles.push_back(role);
  }
  std::set<std::string> dropped;
  for (const std::string& role : fw.roles) {
    if (!subscribed(roles, role)) dropped.insert(role);
  }
  if (!dropped.empty()) fw.filters.clear_roles(dropped);
  fw.roles = std::move(roles);
  fw.suppressed = info.suppressed_roles;
  for (const std::string& role : fw.roles)
    track_role(f, role_of(role));
  refresh_activity(f);
}

// --- offers and tasks ---

void DrfAllocator::recover(const std::string& framework_id, const std::string& agent_id,
                           const Resources& resources, std::optional<Duration> refuse,
                           TimePoint now) {
  const Index* f = frameworks_.find(framework_id);
  const Index* a = agents_.find(agent_id);
  if (!f || !a || resources.empty()) return;
  Framework& fw = frameworks_[*f];
  auto held = fw.allocated.find(*a);
  const Resources request =
      attribute_roles(resources, held == fw.allocated.end() ? Resources() : held->second);
  remove_resources(*f, *a, request);
  if (refuse && refuse->ns() > 0 && fw.registered) {
    fw.filters.add(*a, request, saturating_after(now, std::min(*refuse, kMaxRefuse)), now);
  }
  tidy(*f);
}

void DrfAllocator::update_allocation(const std::string& framework_id, const std::string& agent_id,
                                     const Resources& from, const Resources& to) {
  const Index* f = frameworks_.find(framework_id);
  const Index* a = agents_.find(agent_id);
  if (!f || !a) return;
  Framework& fw = frameworks_[*f];
  auto held = fw.allocated.find(*a);
  if (held == fw.allocated.end()) return;
  const Resources from_roles = attribute_roles(from, held->second);
  if (from_roles.empty() || !held->second.contains(from_roles)) return;
  const auto from_allocations = from_roles.allocations();
  const std::string& fallback = from_allocations.size() == 1 ? from_allocations.begin()->first
                                : fw.roles.empty()           ? std::string("*")
                                                             : fw.roles.front();
  const Resources to_roles = fill_roles(to, fallback);
  remove_resources(*f, *a, from_roles);
  add_resources(*f, *a, to_roles);
  // The operation changed the resources themselves (RESERVE turns unreserved
  // into reserved), so the agent's total changes the same way.
  Agent& agent = agents_[*a];
  const Resources from_plain = without_roles(from_roles);
  if (agent.total.contains(from_plain)) {
    set_agent_total(agent, agent.total - from_plain + without_roles(to_roles));
  }
  tidy(*f);
}

void DrfAllocator::suppress(const std::string& framework_id, const std::set<std::string>& roles) {
  const Index* f = frameworks_.find(framework_id);
  if (!f) return;
  Framework& fw = frameworks_[*f];
  for (const std::string& role : fw.roles) {
    if (roles.empty() || roles.count(role)) fw.suppressed.insert(role);
  }
  refresh_activity(*f);
}

void DrfAllocator::revive(const std::string& framework_id, const std::set<std::string>& roles) {
  const Index* f = frameworks_.find(framework_id);
  if (!f) return;
  Framework& fw = frameworks_[*f];
  if (roles.empty()) {
    fw.suppressed.clear();
    fw.filters.clear();
  } else {
    for (const std::string& role : roles)
      fw.suppressed.erase(role);
    fw.filters.clear_roles(roles);
  }
  refresh_activity(*f);
}

// --- policy ---

void DrfAllocator::update_weights(const std::map<std::string, double>& weights) {
  for (const auto& [role, weight] : weights) {
    if (!(weight > 0) || !std::isfinite(weight) || !validate_role_name(role).ok() ||
        role == kUnreservedRole) {
      continue;
    }
    weights_[role] = weight;
    role_sorter_.set_weight(role_of(role), weight);
  }
}

void DrfAllocator::update_quota(const std::string& role, const Resources& guarantee) {
  if (!validate_role_name(role).ok() || role == kUnreservedRole) return;
  Resources scalars =
      guarantee.filter([](const Resource& r) { return std::holds_alternative<Scalar>(r.value); });
  scalars.unallocate();
  if (scalars.empty()) {
    const Index* r = roles_.find(role);
    if (!r) return;
    roles_[*r].guarantee = Resources();
    roles_[*r].guarantee_scalars = Quantities();
    quota_roles_.erase(*r);
    maybe_drop_role(*r);
    return;
  }
  const Index r = role_of(role);
  roles_[r].guarantee_scalars = names_.scalars(scalars);
  roles_[r].guarantee = std::move(scalars);
  quota_roles_.insert(r);
}

// --- bookkeeping ---

DrfAllocator::Index DrfAllocator::role_of(const std::string& name) {
  if (const Index* r = roles_.find(name)) return *r;
  const Index r = roles_.insert(name);
  Role& role = roles_[r];
  role.name = name;
  role.frameworks.set_total(cluster_total_);
  role_sorter_.add(r, name);
  if (auto w = weights_.find(name); w != weights_.end()) role_sorter_.set_weight(r, w->second);
  return r;
}

void DrfAllocator::maybe_drop_role(Index r) {
  const Role& role = roles_[r];
  if (role.frameworks.size() != 0 || !role.guarantee.empty() || weights_.count(role.name)) return;
  role_sorter_.remove(r);
  quota_roles_.erase(r);
  roles_.erase(std::string(role.name));
}

DrfAllocator::Index DrfAllocator::framework_of(const std::string& id) {
  if (const Index* f = frameworks_.find(id)) return *f;
  const Index f = frameworks_.insert(id);
  frameworks_[f].id = id;
  return f;
}

void DrfAllocator::track_role(Index f, Index r) {
  Framework& fw = frameworks_[f];
  if (!fw.tracked_roles.insert(r).second) return;
  roles_[r].frameworks.add(f, fw.id);
}

void DrfAllocator::tidy(Index f) {
  Framework& fw = frameworks_[f];
  const std::set<Index> tracked = fw.tracked_roles;
  for (const Index r : tracked) {
    Role& role = roles_[r];
    if (fw.registered && subscribed(fw.roles, role.name)) continue;
    if (!role.frameworks.allocation(f).is_zero()) continue;
    // Non-scalar leftovers (ports) also keep the framework in the role.
    const bool holds = std::any_of(fw.allocated.begin(), fw.allocated.end(), [&](const auto& kv) {
      return std::any_of(kv.second.begin(), kv.second.end(),
                         [&](const Resource& res) { return res.allocation_role == role.name; });
    });
    if (holds) continue;
    role.frameworks.remove(f);
    fw.tracked_roles.erase(r);
    refresh_role_activity(r);
    maybe_drop_role(r);
  }
  if (!fw.registered && fw.allocated.empty()) {
    for (const Index r : fw.tracked_roles) {
      roles_[r].frameworks.remove(f);
      refresh_role_activity(r);
    }
    const std::set<Index> roles = std::move(fw.tracked_roles);
    frameworks_.erase(std::string(fw.id));
    for (const Index r : roles)
      maybe_drop_role(r);
  }
}

void DrfAllocator::refresh_activity(Index f) {
  const Framework& fw = frameworks_[f];
  for (const Index r : fw.tracked_roles) {
    Role& role = roles_[r];
    const bool eligible = fw.registered && fw.active && subscribed(fw.roles, role.name) &&
                          fw.suppressed.count(role.name) == 0;
    if (eligible) {
      role.frameworks.activate(f);
    } else {
      role.frameworks.deactivate(f);
    }
    refresh_role_activity(r);
  }
}

void DrfAllocator::refresh_role_activity(Index r) {
  if (roles_[r].frameworks.has_active()) {
    role_sorter_.activate(r);
  } else {
    role_sorter_.deactivate(r);
  }
}

void DrfAllocator::add_resources(Index f, Index a, const Resources& allocation) {
  if (allocation.empty()) return;
  Framework& fw = frameworks_[f];
  Agent& agent = agents_[a];
  fw.allocated[a] += allocation;
  agent.allocated += without_roles(allocation);
  refresh_available(agent);
  insert_unique(agent.frameworks, f);
  for_each_role(allocation, [&](const std::string& role_name, const Resources& part) {
    const Index r = role_of(role_name);
    track_role(f, r);
    const Quantities q = names_.scalars(part);
    role_sorter_.allocated(r, q);
    roles_[r].frameworks.allocated(f, q);
  });
  refresh_activity(f);
}

Resources DrfAllocator::remove_resources(Index f, Index a, const Resources& allocation) {
  Framework& fw = frameworks_[f];
  auto held = fw.allocated.find(a);
  if (held == fw.allocated.end()) return Resources();
  Resources removed = common(held->second, allocation);
  if (removed.empty()) return removed;
  Agent& agent = agents_[a];
  held->second -= removed;
  if (held->second.empty()) {
    fw.allocated.erase(held);
    erase_value(agent.frameworks, f);
  }
  agent.allocated -= without_roles(removed);
  refresh_available(agent);
  for_each_role(removed, [&](const std::string& role_name, const Resources& part) {
    const Index* r = roles_.find(role_name);
    if (!r) return;
    const Quantities q = names_.scalars(part);
    role_sorter_.unallocated(*r, q);
    roles_[*r].frameworks.unallocated(f, q);
  });
  return removed;
}

// --- allocation ---

std::vector<Allocation> DrfAllocator::allocate(TimePoint now) {
  sync_totals();
  std::shuffle(agent_order_.begin(), agent_order_.end(), rng_);
  for (size_t i = 0; i < agent_order_.size(); ++i)
    agents_[agent_order_[i]].order_slot = i;
  Offers offers;
  offers.cycle = ++cycle_;
  quota_stage(now, offers);
  fair_share_stage(now, offers);
  return std::move(offers.list);
}

void DrfAllocator::sync_totals() {
  if (!totals_dirty_) return;
  role_sorter_.set_total(cluster_total_);
  for (const auto& [name, r] : roles_.ids())
    roles_[r].frameworks.set_total(cluster_total_);
  totals_dirty_ = false;
}

Quantities DrfAllocator::unmet_quota(Index r) const {
  return roles_[r].guarantee_scalars - role_sorter_.allocation(r);
}

Quantities DrfAllocator::headroom() const {
  Quantities total;
  for (const Index r : quota_roles_)
    total += unmet_quota(r);
  return total;
}

void DrfAllocator::quota_stage(TimePoint now, Offers& offers) {
  std::vector<Index> pending;
  for (const Index r : quota_roles_) {
    if (role_sorter_.active(r) && !unmet_quota(r).is_zero()) pending.push_back(r);
  }
  for (const Index a : agent_order_) {
    if (pending.empty()) break;
    const Agent& agent = agents_[a];
    const Resources& available = agent.available;  // grant() keeps it current
    if (!agent.active || available.empty()) continue;
    // Quota roles are few: order them afresh for each agent.
    std::vector<std::pair<double, Index>> order;
    for (const Index r : pending)
      order.emplace_back(role_sorter_.share(r), r);
    std::sort(order.begin(), order.end(), [this](const auto& x, const auto& y) {
      if (x.first != y.first) return x.first < y.first;
      return roles_[x.second].name < roles_[y.second].name;
    });
    for (const auto& [share, r] : order) {
      if (available.empty()) break;
      const Quantities need = unmet_quota(r);
      if (need.is_zero()) continue;
      const Resources offer =
          quota_offer(available.allocatable_to(roles_[r].name), roles_[r], need);
      if (offer.empty()) continue;
      offer_to_role(r, a, offer, now, offers);
    }
    std::erase_if(pending, [this](Index r) { return unmet_quota(r).is_zero(); });
  }
}

Resources DrfAllocator::quota_offer(const Resources& allocatable, const Role& role,
                                    const Quantities& need) {
  Resources out;
  Quantities budget = need;
  bool useful = false;
  for (const Resource& res : allocatable) {
    const auto* scalar = std::get_if<Scalar>(&res.value);
    const uint32_t id = scalar ? names_.intern(res.name) : 0;
    if (scalar && need[id] > 0) useful = true;
    // Reservations count towards the role's quota and are its anyway;
    // non-scalars and names the guarantee does not mention go along whole.
    if (res.is_reserved() || !scalar || role.guarantee_scalars[id] == 0) {
      out += res;
      continue;
    }
    const int64_t take = std::min(scalar->thousandths(), budget[id]);
    if (take <= 0) continue;
    Resource part = res;
    part.value = Scalar::from_thousandths(take);
    out += part;
    budget.add(id, -take);
  }
  // Offer only what moves the role towards its guarantee.
  return useful ? out : Resources();
}

void DrfAllocator::fair_share_stage(TimePoint now, Offers& offers) {
  Quantities held_back = headroom();
  const bool has_headroom = !held_back.is_zero();
  // Unreserved resources still free on active agents, for the headroom check.
  Quantities free_unreserved;
  if (has_headroom) {
    for (const Index a : agent_order_) {
      const Agent& agent = agents_[a];
      if (agent.active) free_unreserved += names_.scalars(agent.available.unreserved());
    }
  }

  const DrfSorter::Sorted& sorted_roles = role_sorter_.sorted();
  for (const Index a : agent_order_) {
    const Agent& agent = agents_[a];
    const Resources& available = agent.available;  // grant() keeps it current
    if (!agent.active || available.empty()) continue;
    ++visit_stamp_;
    // A grant moves its role further down the order, past roles not yet
    // visited, and the walk continues from the next role; visit stamps keep
    // the moved role from being offered this agent twice.
    for (auto it = sorted_roles.begin(); it != sorted_roles.end() && !available.empty();) {
      const Index r = it->id;
      ++it;
      Role& role = roles_[r];
      if (role.visited == visit_stamp_) continue;
      role.visited = visit_stamp_;
      Resources offer = available.allocatable_to(role.name);
      if (offer.empty()) continue;
      Quantities unreserved;
      if (has_headroom) {
        Quantities others = held_back;
        if (!role.guarantee.empty()) others -= unmet_quota(r);
        unreserved = names_.scalars(offer.unreserved());
        if (!others.is_zero() && !(free_unreserved - unreserved).covers(others)) {
          // As Mesos: the agent's unreserved resources are held back whole.
          offer = offer.reserved();
          unreserved = Quantities();
          if (offer.empty()) continue;
        }
      }
      if (!offer_to_role(r, a, offer, now, offers)) continue;
      if (has_headroom) {
        free_unreserved -= unreserved;
        if (!role.guarantee.empty()) held_back = headroom();
      }
    }
  }
}

bool DrfAllocator::offer_to_role(Index r, Index a, const Resources& offer, TimePoint now,
                                 Offers& offers) {
  Role& role = roles_[r];
  std::optional<Resources> as_offered;  // built only if some framework has filters
  for (const DrfSorter::Entry& entry : role.frameworks.sorted()) {
    Framework& fw = frameworks_[entry.id];
    if (!fw.filters.empty()) {
      if (!as_offered) as_offered = with_role(offer, role.name);
      if (fw.filters.filtered(a, role.name, *as_offered, now)) continue;
    }
    // grant() moves this entry: stop iterating right away.
    grant(entry.id, r, a, offer, as_offered ? std::move(*as_offered) : with_role(offer, role.name),
          offers);
    return true;
  }
  return false;
}

void DrfAllocator::grant(Index f, Index r, Index a, const Resources& resources,
                         Resources allocation, Offers& offers) {
  Framework& fw = frameworks_[f];
  Agent& agent = agents_[a];
  Role& role = roles_[r];
  fw.allocated[a] += allocation;
  agent.allocated += resources;
  agent.available -= resources;
  insert_unique(agent.frameworks, f);
  const Quantities q = names_.scalars(resources);
  role_sorter_.allocated(r, q);
  role.frameworks.allocated(f, q);
  // A multi-role framework gets one offer per agent, whatever its roles.
  if (agent.offer_cycle != offers.cycle) {
    agent.offer_cycle = offers.cycle;
    agent.offer_slots.clear();
  }
  for (const auto& [holder, slot] : agent.offer_slots) {
    if (holder == f) {
      offers.list[slot].resources += allocation;
      return;
    }
  }
  agent.offer_slots.emplace_back(f, offers.list.size());
  offers.list.push_back(Allocation{fw.id, agent.id, std::move(allocation)});
}

// --- introspection ---

std::vector<RoleSummary> DrfAllocator::roles() const {
  std::vector<RoleSummary> out;
  for (const auto& [name, r] : roles_.ids()) {
    const Role& role = roles_[r];
    RoleSummary summary;
    summary.role = name;
    if (auto w = weights_.find(name); w != weights_.end()) summary.weight = w->second;
    summary.guarantee = role.guarantee;
    for (const Index f : role.frameworks.clients()) {
      const Framework& fw = frameworks_[f];
      summary.frameworks.push_back(fw.id);
      for (const auto& [a, resources] : fw.allocated)
        summary.allocated += resources.allocated_to(name);
    }
    std::sort(summary.frameworks.begin(), summary.frameworks.end());
    if (summary.frameworks.empty() && summary.allocated.empty() && summary.guarantee.empty() &&
        !weights_.count(name)) {
      continue;
    }
    out.push_back(std::move(summary));
  }
  std::sort(out.begin(), out.end(),
            [](const RoleSummary& x, const RoleSummary& y) { return x.role < y.role; });
  return out;
}

Resources DrfAllocator::available(const std::string& agent_id) const {
  const Index* a = agents_.find(agent_id);
  if (!a) return Resources();
  return agents_[*a].available;
}

}  // namespace cairn::master
