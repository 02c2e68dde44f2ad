// Backoff: the delays between resubscription attempts.
//
// Exponential with jitter, as Mesos' scheduler library does: each delay is
// drawn uniformly from [base/2, base], after which base doubles up to the
// cap; reset() after a successful subscription starts again from the
// initial base. The jitter keeps many frameworks that lost the same master
// from coming back in lock step.
#pragma once

#include <cstdint>
#include <random>

#include "lib/units/duration.hpp"

namespace cairn::scheduler {

class Backoff {
 public:
  Backoff(Duration initial, Duration max);
  Backoff(Duration initial, Duration max, uint64_t seed);

  Duration next();
  void reset() { base_ = initial_; }
  // The base of the next delay.
  Duration base() const { return base_; }

 private:
  Duration initial_;
  Duration max_;
  Duration base_;
  std::mt19937_64 random_;
};

}  // namespace cairn::scheduler
