#include "daemons/master/allocator/drf_sorter.hpp"

#include <algorithm>
#include <cmath>

namespace cairn::master {

namespace {
const Quantities kNothing;
}  // namespace

bool DrfSorter::Order::operator()(const Entry& a, const Entry& b) const {
  if (a.share != b.share) return a.share < b.share;
  if (const int c = a.name->compare(*b.name); c != 0) return c < 0;
  return a.id < b.id;
}

void DrfSorter::add(Id id, std::string name) {
  auto [it, inserted] = clients_.try_emplace(id);
  if (!inserted) return;
  it->second.name = std::move(name);
  it->second.share = compute_share(it->second);
}

void DrfSorter::remove(Id id) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  if (it->second.active) sorted_.erase(entry(id, it->second));
  clients_.erase(it);
}

std::vector<DrfSorter::Id> DrfSorter::clients() const {
  std::vector<Id> out;
  out.reserve(clients_.size());
  for (const auto& [id, client] : clients_)
    out.push_back(id);
  return out;
}

void DrfSorter::activate(Id id) {
  auto it = clients_.find(id);
  if (it == clients_.end() || it->second.active) return;
  it->second.active = true;
  it->second.share = compute_share(it->second);
  sorted_.insert(entry(id, it->second));
}

void DrfSorter::deactivate(Id id) {
  auto it = clients_.find(id);
  if (it == clients_.end() || !it->second.active) return;
  sorted_.erase(entry(id, it->second));
  it->second.active = false;
}

bool DrfSorter::active(Id id) const {
  auto it = clients_.find(id);
  return it != clients_.end() && it->second.active;
}

void DrfSorter::set_weight(Id id, double weight) {
  auto it = clients_.find(id);
  if (it == clients_.end() || !(weight > 0) || !std::isfinite(weight)) return;
  it->second.weight = weight;
  reposition(id, it->second);
}

void DrfSorter::allocated(Id id, const Quantities& delta) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  it->second.allocation += delta;
  reposition(id, it->second);
}

void DrfSorter::unallocated(Id id, const Quantities& delta) {
  auto it = clients_.find(id);
  if (it == clients_.end()) return;
  it->second.allocation -= delta;
  reposition(id, it->second);
}

const Quantities& DrfSorter::allocation(Id id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? kNothing : it->second.allocation;
}

void DrfSorter::set_total(const Quantities& total) {
  if (total == total_) return;
  total_ = total;
  stale_ = true;
}

double DrfSorter::share(Id id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? 0.0 : compute_share(it->second);
}

const DrfSorter::Sorted& DrfSorter::sorted() {
  if (stale_) {
    sorted_.clear();
    for (auto& [id, client] : clients_) {
      client.share = compute_share(client);
      if (client.active) sorted_.insert(entry(id, client));
    }
    stale_ = false;
  }
  return sorted_;
}

double DrfSorter::compute_share(const Client& client) const {
  // One division per name (allocation / (total * weight)) so that equal
  // weighted shares compare equal, e.g. 3/(10*3) == 1/10 exactly.
  double dominant = 0.0;
  const size_t n = std::min(client.allocation.size(), total_.size());
  for (size_t i = 0; i < n; ++i) {
    const int64_t total = total_[i];
    if (total <= 0) continue;
    dominant = std::max(dominant, static_cast<double>(client.allocation[i]) /
                                      (static_cast<double>(total) * client.weight));
  }
  return dominant;
}

void DrfSorter::reposition(Id id, Client& client) {
  if (!client.active) {
    client.share = compute_share(client);
    return;
  }
  // The entry must be found by its old key before the key changes; the
  // node is reused, so a move costs no allocation.
  auto node = sorted_.extract(entry(id, client));
  client.share = compute_share(client);
  if (node.empty()) {
    sorted_.insert(entry(id, client));
  } else {
    node.value().share = client.share;
    sorted_.insert(std::move(node));
  }
}

}  // namespace cairn::master
