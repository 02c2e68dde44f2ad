// Resources: a collection of Mesos resources with the arithmetic the
// allocator needs, and the Mesos text and JSON forms.
//
// Resources keeps one entry per kind (name, type, reservation, allocation):
// adding merges into the matching entry, subtracting takes away from it (a
// scalar that reaches zero, or ranges or a set that become empty, disappear;
// a range difference may split an interval). Subtracting more than is there
// leaves nothing, as in Mesos. Entries keep the order they were first added.
//
// parse() reads the agent `--resources` syntax,
// `cpus:8;mem:16384;disk:409600;ports:[31000-32000,40000-40010];cpus(prod):4`
// or, when the text starts with `[`, a JSON array of v1 Resource objects, with
// Mesos' command-line rules: no dynamic reservations or allocations, and one
// type per name. Repeated entries merge (`cpus:1;cpus:2` is 3 cpus); a merged
// amount may not exceed Scalar::kMaxInput. from_json() reads resources as
// frameworks and agents send them (all three reservation formats).
// Arithmetic results may exceed kMaxInput, but their JSON is then no longer
// exact to the thousandth. to_string() prints text that parse()
// reads back to an equal value whenever the resources are expressible in
// text (no dynamic reservation or allocation, roles without `;:()`).
#pragma once

#include <iosfwd>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/resources/resource.hpp"
#include "lib/resources/value.hpp"

namespace cairn {

class Resources {
 public:
  Resources() = default;
  Resources(std::initializer_list<Resource> resources);
  explicit Resources(const std::vector<Resource>& resources);

  static Result<Resources> parse(std::string_view text, std::string_view default_role = "*");

  // A JSON array of v1 Resource objects. Errors give the JSON path of the
  // offending field, e.g. "[1].ranges.range[0].begin".
  static Result<Resources> from_json(const nlohmann::json& json,
                                     std::string_view default_role = "*");

  nlohmann::json to_json(ResourceFormat format = ResourceFormat::kPreRefinement) const;

  // The flat map of Mesos' v0 endpoints (/master/state): cpus, gpus, mem and
  // disk always present, every other name too; scalars as numbers, ranges
  // and sets as Mesos prints them: {"cpus":2.0,"ports":"[31000-32000]"}.
  nlohmann::json to_v0_json() const;

  std::string to_string() const;

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  std::vector<Resource>::const_iterator begin() const { return entries_.begin(); }
  std::vector<Resource>::const_iterator end() const { return entries_.end(); }

  // Arithmetic. Empty resources are ignored; a negative scalar subtracts.
  Resources& add(const Resource& resource);
  Resources& subtract(const Resource& resource);
  Resources& operator+=(const Resource& resource) { return add(resource); }
  Resources& operator-=(const Resource& resource) { return subtract(resource); }
  Resources& operator+=(const Resources& other);
  Resources& operator-=(const Resources& other);
  friend Resources operator+(Resources a, const Resources& b) { return a += b; }
  friend Resources operator-(Resources a, const Resources& b) { return a -= b; }
  friend Resources operator+(Resources a, const Resource& b) { return a += b; }
  friend Resources operator-(Resources a, const Resource& b) { return a -= b; }

  // Whether every entry of `other` is covered by the entry of the same kind.
  bool contains(const Resources& other) const;
  bool contains(const Resource& resource) const;

  // Same entries regardless of order.
  bool operator==(const Resources& other) const;

  // Filters.
  template <typename Predicate>
  Resources filter(Predicate&& keep) const {
    Resources out;
    for (const Resource& r : entries_) {
      if (keep(r)) out.entries_.push_back(r);
    }
    return out;
  }
  Resources unreserved() const;
  Resources reserved() const;                       // reserved to any role
  Resources reserved(std::string_view role) const;  // reserved to exactly `role`
  // What a framework in `role` may be offered: unreserved resources and those
  // reserved to `role` or to one of its ancestors.
  Resources allocatable_to(std::string_view role) const;
  Resources allocated_to(std::string_view role) const;
  // Reserved resources grouped by reservation role.
  std::map<std::string, Resources> reservations() const;
  // Allocated resources grouped by allocation role.
  std::map<std::string, Resources> allocations() const;

  // Marks every entry as allocated to `role` / clears allocations; entries
  // that become the same kind merge.
  void allocate(std::string_view role);
  void unallocate();

  // Totals across roles and reservations.
  double scalar(std::string_view name) const;
  double cpus() const { return scalar("cpus"); }
  double mem() const { return scalar("mem"); }    // megabytes
  double disk() const { return scalar("disk"); }  // megabytes
  double gpus() const { return scalar("gpus"); }
  Ranges ranges(std::string_view name) const;
  Ranges ports() const { return ranges("ports"); }
  Set set(std::string_view name) const;
  // Fixed-point total of one scalar name.
  Scalar scalar_total(std::string_view name) const;
  // Every scalar name with its total, for DRF shares.
  std::map<std::string, double> scalar_totals() const;

 private:
  std::vector<Resource> entries_;  // one per kind, none empty
};

// Prints to_string(), for logs and test failure messages.
std::ostream& operator<<(std::ostream& out, const Resource& resource);
std::ostream& operator<<(std::ostream& out, const Resources& resources);

}  // namespace cairn
