// Counter: a monotonic count ("master/tasks_finished").
//
// Worker threads bump counters while the event loop takes snapshots, so the
// count is atomic; increments are relaxed because a counter orders nothing.
#pragma once

#include <atomic>
#include <cstdint>

namespace cairn::metrics {

class Counter {
 public:
  void increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace cairn::metrics
