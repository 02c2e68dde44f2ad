// The Prometheus rendering of a metrics snapshot (text exposition format
// 0.0.4), for scrapers that do not speak Mesos' /metrics/snapshot.
//
// Each metric becomes one family: "# HELP" (the metric's help, else its
// Mesos name), "# TYPE" and its samples. Names are the Mesos name with every
// character outside [a-zA-Z0-9_:] replaced by '_' behind a configurable
// prefix: "master/tasks_running" -> "cairn_master_tasks_running". Counters
// are `counter`, gauges `gauge`. A timer becomes a `summary` in seconds, the
// Prometheus base unit: "<name>_seconds{quantile="0.99"}" over the window,
// plus "<name>_seconds_sum" and "_count" over every sample ever recorded.
// A metric whose sanitised name collides with an earlier one's is left out,
// with a comment saying so, since a repeated family makes the whole scrape
// invalid.
#pragma once

#include <string>
#include <string_view>

#include "lib/metrics/snapshot.hpp"

namespace cairn::metrics {

inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct PrometheusOptions {
  std::string prefix = "cairn";  // sanitised too; empty for none
};

// "master/tasks_running" -> "master_tasks_running"; a leading digit gets '_'.
std::string sanitize_prometheus_name(std::string_view name);

// Go's ParseFloat syntax: "3", "0.25", "1e-06", "+Inf", "-Inf", "NaN".
std::string format_prometheus_value(double value);

std::string render_prometheus(const Snapshot& snapshot, const PrometheusOptions& options = {});

}  // namespace cairn::metrics
