#include "lib/metrics/mesos_json.hpp"

#include <nlohmann/json.hpp>

namespace cairn::metrics {

std::map<std::string, double> flatten(const Snapshot& snapshot) {
  std::map<std::string, double> values;
  for (const MetricSample& sample : snapshot) {
    if (sample.kind != MetricKind::kTimer) {
      values[sample.name] = sample.value;
      continue;
    }
    const TimerStats& t = sample.timer;
    if (t.window_count == 0) continue;
    const std::string base = sample.name + "_ms";
    values[base] = t.last_ms;
    values[base + "/count"] = static_cast<double>(t.window_count);
    values[base + "/min"] = t.min_ms;
    values[base + "/max"] = t.max_ms;
    for (size_t i = 0; i < kTimerPercentiles.size(); ++i)
      values[base + "/" + std::string(kTimerPercentiles[i].key)] = t.percentiles_ms[i];
  }
  return values;
}

std::string render_mesos_json(const Snapshot& snapshot) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [key, value] : flatten(snapshot))
    object[key] = value;
  // Replace invalid UTF-8 in names rather than throw: a principal is user input.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cairn::metrics
