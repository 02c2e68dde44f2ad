// Scalar quantities by resource name: the numbers DRF and quota work with.
//
// Shares and quota only look at how much of each scalar name (cpus, mem,
// disk, gpus…) a client holds, not at reservations, allocation roles or
// ranges. ResourceNames gives every scalar name a small dense id, and
// Quantities holds one fixed-point amount (thousandths, as Scalar) per id, so
// that the allocator's hot path adds and compares plain integers instead of
// whole Resources. Quantities are amounts, never negative: subtraction stops
// at zero.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/resources/resources.hpp"

namespace cairn::master {

class Quantities {
 public:
  // Thousandths of name `id` (0 when absent).
  int64_t operator[](size_t id) const { return id < amounts_.size() ? amounts_[id] : 0; }
  // Number of ids with a slot (some may hold zero).
  size_t size() const { return amounts_.size(); }
  bool is_zero() const;

  void add(size_t id, int64_t thousandths);
  // Sets name `id` to exactly `thousandths` (clamped at zero).
  void set(size_t id, int64_t thousandths);
  Quantities& operator+=(const Quantities& other);
  // Per name, at most down to zero.
  Quantities& operator-=(const Quantities& other);
  friend Quantities operator+(Quantities a, const Quantities& b) { return a += b; }
  friend Quantities operator-(Quantities a, const Quantities& b) { return a -= b; }

  // Every name of `other` is at least as large here.
  bool covers(const Quantities& other) const;

  bool operator==(const Quantities& other) const;

 private:
  std::vector<int64_t> amounts_;
};

// Dense ids for scalar resource names, assigned on first sight.
class ResourceNames {
 public:
  uint32_t intern(const std::string& name);
  // The name of an id returned by intern().
  const std::string& name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

  // The scalar entries of `resources`, summed per name (reservations and
  // allocation roles ignored).
  Quantities scalars(const Resources& resources);

 private:
  static constexpr size_t kScanLimit = 16;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

}  // namespace cairn::master
