#include "lib/metrics/timer.hpp"

#include <algorithm>
#include <cmath>

namespace cairn::metrics {

double percentile(const std::vector<double>& sorted, double quantile) {
  if (sorted.empty()) return 0;
  quantile = std::clamp(quantile, 0.0, 1.0);
  const double position = quantile * static_cast<double>(sorted.size() - 1);
  const auto index = static_cast<size_t>(std::floor(position));
  if (index + 1 >= sorted.size()) return sorted.back();
  const double fraction = position - static_cast<double>(index);
  return sorted[index] + (sorted[index + 1] - sorted[index]) * fraction;
}

Timer::Timer(size_t window) : capacity_(std::max<size_t>(window, 1)) {
  window_ms_.reserve(std::min(capacity_, kDefaultWindow));
}

void Timer::record(Duration elapsed) {
  const double ms = std::max<double>(0, static_cast<double>(elapsed.ns()) / 1e6);
  std::lock_guard lock(mutex_);
  if (window_ms_.size() < capacity_) {
    window_ms_.push_back(ms);
  } else {
    window_ms_[next_] = ms;
    next_ = (next_ + 1) % capacity_;
  }
  last_ms_ = ms;
  ++total_count_;
  total_ms_ += ms;
}

TimerStats Timer::stats() const {
  TimerStats stats;
  std::vector<double> sorted;
  {
    std::lock_guard lock(mutex_);
    sorted = window_ms_;
    stats.total_count = total_count_;
    stats.total_ms = total_ms_;
    stats.last_ms = last_ms_;
  }
  stats.window_count = sorted.size();
  if (sorted.empty()) return stats;
  std::sort(sorted.begin(), sorted.end());
  stats.min_ms = sorted.front();
  stats.max_ms = sorted.back();
  for (size_t i = 0; i < kTimerPercentiles.size(); ++i)
    stats.percentiles_ms[i] = percentile(sorted, kTimerPercentiles[i].quantile);
  return stats;
}

Timer::Scope::~Scope() {
  const auto elapsed = std::chrono::steady_clock::now() - start_;
  timer_.record(
      Duration::nanoseconds(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
}

}  // namespace cairn::metrics
