#include "daemons/master/allocator/quantities.hpp"

#include <algorithm>
#include <cstdint>
#include <variant>

namespace cairn::master {

namespace {

// Amounts come from Scalars that may reach int64 limits; never overflow.
int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

}  // namespace

bool Quantities::is_zero() const {
  return std::all_of(amounts_.begin(), amounts_.end(), [](int64_t a) { return a == 0; });
}

void Quantities::add(size_t id, int64_t thousandths) {
  if (thousandths == 0) return;
  if (id >= amounts_.size()) amounts_.resize(id + 1, 0);
  amounts_[id] = std::max<int64_t>(0, saturating_add(amounts_[id], thousandths));
}

void Quantities::set(size_t id, int64_t thousandths) {
  if (id >= amounts_.size()) {
    if (thousandths <= 0) return;
    amounts_.resize(id + 1, 0);
  }
  amounts_[id] = std::max<int64_t>(0, thousandths);
}

Quantities& Quantities::operator+=(const Quantities& other) {
  if (other.amounts_.size() > amounts_.size()) amounts_.resize(other.amounts_.size(), 0);
  for (size_t i = 0; i < other.amounts_.size(); ++i)
    amounts_[i] = std::max<int64_t>(0, saturating_add(amounts_[i], other.amounts_[i]));
  return *this;
}

Quantities& Quantities::operator-=(const Quantities& other) {
  const size_t n = std::min(amounts_.size(), other.amounts_.size());
  for (size_t i = 0; i < n; ++i)
    amounts_[i] = std::max<int64_t>(0, saturating_add(amounts_[i], -other.amounts_[i]));
  return *this;
}

bool Quantities::covers(const Quantities& other) const {
  for (size_t i = 0; i < other.amounts_.size(); ++i) {
    if ((*this)[i] < other.amounts_[i]) return false;
  }
  return true;
}

bool Quantities::operator==(const Quantities& other) const {
  const size_t n = std::max(amounts_.size(), other.amounts_.size());
  for (size_t i = 0; i < n; ++i) {
    if ((*this)[i] != other[i]) return false;
  }
  return true;
}

uint32_t ResourceNames::intern(const std::string& name) {
  // Clusters use a handful of names: a scan of short strings beats hashing.
  if (names_.size() <= kScanLimit) {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return static_cast<uint32_t>(i);
    }
  }
  auto [it, inserted] = ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
  if (inserted) names_.push_back(name);
  return it->second;
}

Quantities ResourceNames::scalars(const Resources& resources) {
  Quantities out;
  for (const Resource& r : resources) {
    if (const auto* s = std::get_if<Scalar>(&r.value)) out.add(intern(r.name), s->thousandths());
  }
  return out;
}

}  // namespace cairn::master
