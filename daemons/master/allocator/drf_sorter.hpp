// DrfSorter: clients (roles, or frameworks within a role) ordered by weighted
// dominant share, as Mesos' DRFSorter.
//
// A client's dominant share is the largest, over scalar names, of
// allocation[name] / total[name], divided by the client's weight; names with
// no total are ignored. Clients with equal shares are ordered by name. Only
// active clients are ordered (an inactive client keeps its allocation but is
// not offered anything).
//
// The allocator re-reads the order after every grant, so the order is kept in
// a balanced tree keyed by (share, name): changing one client's allocation
// moves just that client, O(names + log clients). Changing the total changes
// every share; the tree is then rebuilt lazily, on the next sorted().
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemons/master/allocator/quantities.hpp"

namespace cairn::master {

class DrfSorter {
 public:
  using Id = uint32_t;

  struct Entry {
    double share;
    const std::string* name;  // owned by the client record (stable)
    Id id;
  };
  struct Order {
    bool operator()(const Entry& a, const Entry& b) const;
  };
  using Sorted = std::set<Entry, Order>;

  DrfSorter() = default;
  // Entries point into client records: not copyable.
  DrfSorter(const DrfSorter&) = delete;
  DrfSorter& operator=(const DrfSorter&) = delete;

  // A new client is inactive, with weight 1 and nothing allocated. Adding an
  // existing id does nothing.
  void add(Id id, std::string name);
  void remove(Id id);
  bool contains(Id id) const { return clients_.count(id) != 0; }
  size_t size() const { return clients_.size(); }
  std::vector<Id> clients() const;

  void activate(Id id);
  void deactivate(Id id);
  bool active(Id id) const;
  bool has_active() const { return !sorted_.empty(); }

  // Weights must be positive and finite; anything else is ignored.
  void set_weight(Id id, double weight);

  void allocated(Id id, const Quantities& delta);
  void unallocated(Id id, const Quantities& delta);
  // Nothing for an unknown client.
  const Quantities& allocation(Id id) const;

  // The pool shares are computed against (the cluster's total).
  void set_total(const Quantities& total);
  const Quantities& total() const { return total_; }

  // Current weighted dominant share (0 for an unknown client).
  double share(Id id) const;

  // Active clients, lowest share first. Stays valid while allocations change
  // (each change moves one entry); set_total() invalidates it.
  const Sorted& sorted();

 private:
  struct Client {
    std::string name;
    double weight = 1.0;
    Quantities allocation;
    bool active = false;
    double share = 0.0;  // the key of this client's entry in sorted_
  };

  double compute_share(const Client& client) const;
  Entry entry(Id id, const Client& client) const { return Entry{client.share, &client.name, id}; }
  // Recomputes the client's share and moves its entry if it is in sorted_.
  void reposition(Id id, Client& client);

  std::unordered_map<Id, Client> clients_;  // node-based: names stay put
  Quantities total_;
  Sorted sorted_;
  bool stale_ = false;  // total changed since sorted_ was built
};

}  // namespace cairn::master
