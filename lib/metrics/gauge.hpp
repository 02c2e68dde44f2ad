// Gauge: a value that goes up and down ("master/tasks_running").
//
// This is the push form: code sets or adjusts the value. For values that
// are cheaper to compute when asked ("master/uptime_secs"), register a
// callback with Registry::gauge(name, help, callback) instead.
#pragma once

#include <atomic>

namespace cairn::metrics {

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void increment(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  void decrement(double by = 1) { value_.fetch_sub(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

}  // namespace cairn::metrics
