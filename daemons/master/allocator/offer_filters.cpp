#include "daemons/master/allocator/offer_filters.hpp"

#include <algorithm>

namespace cairn::master {

void OfferFilters::add(AgentIndex agent, const Resources& refused, TimePoint expires,
                       TimePoint now) {
  if (refused.empty() || expires <= now) return;
  std::vector<Filter>& filters = by_agent_[agent];
  std::erase_if(filters, [now](const Filter& f) { return f.expires <= now; });
  for (auto& part : refused.allocations()) {
    auto same = std::find_if(filters.begin(), filters.end(), [&part](const Filter& f) {
      return f.role == part.first && f.resources == part.second;
    });
    if (same != filters.end()) {
      same->expires = std::max(same->expires, expires);
    } else {
      filters.push_back(Filter{part.first, std::move(part.second), expires});
    }
  }
  if (filters.empty()) by_agent_.erase(agent);
}

bool OfferFilters::filtered(AgentIndex agent, const std::string& role, const Resources& offer,
                            TimePoint now) {
  auto it = by_agent_.find(agent);
  if (it == by_agent_.end()) return false;
  std::vector<Filter>& filters = it->second;
  std::erase_if(filters, [now](const Filter& f) { return f.expires <= now; });
  if (filters.empty()) {
    by_agent_.erase(it);
    return false;
  }
  return std::any_of(filters.begin(), filters.end(), [&](const Filter& f) {
    return f.role == role && f.resources.contains(offer);
  });
}

void OfferFilters::clear_roles(const std::set<std::string>& roles) {
  for (auto it = by_agent_.begin(); it != by_agent_.end();) {
    std::erase_if(it->second, [&roles](const Filter& f) { return roles.count(f.role) != 0; });
    it = it->second.empty() ? by_agent_.erase(it) : std::next(it);
  }
}

size_t OfferFilters::size() const {
  size_t n = 0;
  for (const auto& [agent, filters] : by_agent_)
    n += filters.size();
  return n;
}

}  // namespace cairn::master
