// Timing and printing the benches' figures: one clock (steady, so that a
// clock adjustment during a run cannot skew a figure), the spans measured
// on it, and whole numbers printed as the tables print them.
#pragma once

#include <chrono>
#include <string>

namespace cairn::bench {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to);
double seconds_since(Clock::time_point start);

// "%.0f": counts read from a master's metrics, which are doubles (-1 when
// the master did not say).
std::string whole(double value);

}  // namespace cairn::bench
