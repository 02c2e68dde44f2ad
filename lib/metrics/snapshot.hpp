// Snapshot: the values of every metric of a Registry at one moment, sorted
// by name. Registry::snapshot() produces it; the renderers (Mesos JSON in
// mesos_json.hpp, Prometheus text in prometheus.hpp) consume it, so that
// they can be tested without a registry and never call back into one.
#pragma once

#include <string>
#include <vector>

#include "lib/metrics/timer.hpp"

namespace cairn::metrics {

enum class MetricKind { kCounter, kGauge, kTimer };

struct MetricSample {
  std::string name;  // Mesos-style: "master/tasks_running"
  std::string help;  // may be empty
  MetricKind kind = MetricKind::kGauge;
  double value = 0;  // counters and gauges
  TimerStats timer;  // timers
};

using Snapshot = std::vector<MetricSample>;

}  // namespace cairn::metrics
