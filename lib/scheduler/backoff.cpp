#include "lib/scheduler/backoff.hpp"

#include <algorithm>

namespace cairn::scheduler {

Backoff::Backoff(Duration initial, Duration max) : Backoff(initial, max, std::random_device{}()) {}

Backoff::Backoff(Duration initial, Duration max, uint64_t seed)
    : initial_(std::max(initial, Duration())),
      max_(std::max(max, initial_)),
      base_(initial_),
      random_(seed) {}

Duration Backoff::next() {
  const int64_t high = base_.ns();
  const int64_t low = high / 2;
  std::uniform_int_distribution<int64_t> pick(low, high);
  const Duration delay = Duration::nanoseconds(high > 0 ? pick(random_) : 0);
  base_ = base_.ns() > max_.ns() / 2 ? max_ : base_ * 2;  // no overflow near the cap
  return delay;
}

}  // namespace cairn::scheduler
