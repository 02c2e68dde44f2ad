// Timer: how long something took, as Mesos' libprocess timers report it.
//
// A timer keeps the most recent samples (a bounded window, 1000 by default)
// and summarises them: the last value, count, min, max and the percentiles
// p50, p90, p95, p99, p999 and p9999, each in milliseconds. The Mesos
// snapshot exports them as "<name>_ms", "<name>_ms/count", "<name>_ms/p99"...
// It also keeps the total count and sum of every sample ever recorded, which
// Prometheus summaries need (their _count and _sum only ever grow).
// Percentiles interpolate linearly between the two nearest samples, as
// libprocess' Statistics does.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "lib/units/duration.hpp"

namespace cairn::metrics {

struct Percentile {
  double quantile;       // 0.99
  std::string_view key;  // "p99", as in the Mesos key "<name>_ms/p99"
};

inline constexpr std::array<Percentile, 6> kTimerPercentiles{{
    {0.5, "p50"},
    {0.9, "p90"},
    {0.95, "p95"},
    {0.99, "p99"},
    {0.999, "p999"},
    {0.9999, "p9999"},
}};

struct TimerStats {
  uint64_t total_count = 0;  // every sample ever recorded
  double total_ms = 0;       // their sum
  size_t window_count = 0;   // samples in the window; the fields below need at least one
  double last_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  std::array<double, kTimerPercentiles.size()> percentiles_ms{};  // in kTimerPercentiles order
};

// The value at `quantile` (0..1) of ascending `sorted`, interpolating
// between neighbours; 0 for an empty input.
double percentile(const std::vector<double>& sorted, double quantile);

class Timer {
 public:
  static constexpr size_t kDefaultWindow = 1000;

  // A window of 0 is treated as 1.
  explicit Timer(size_t window = kDefaultWindow);

  // Negative durations (a clock misuse) are recorded as zero.
  void record(Duration elapsed);
  TimerStats stats() const;

  // Records the time from its creation to its destruction (steady clock).
  class Scope {
   public:
    explicit Scope(Timer& timer) : timer_(timer), start_(std::chrono::steady_clock::now()) {}
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Timer& timer_;
    std::chrono::steady_clock::time_point start_;
  };
  Scope time() { return Scope(*this); }

 private:
  mutable std::mutex mutex_;  // record() may run on worker threads
  std::vector<double> window_ms_;
  size_t capacity_;
  size_t next_ = 0;  // where the next sample goes once the window is full
  double last_ms_ = 0;
  uint64_t total_count_ = 0;
  double total_ms_ = 0;
};

}  // namespace cairn::metrics
