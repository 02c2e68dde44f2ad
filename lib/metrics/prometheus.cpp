#include "lib/metrics/prometheus.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <vector>

namespace cairn::metrics {
namespace {

bool is_name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

// HELP text escapes only backslash and newline.
std::string escape_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string sanitize_prometheus_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  if (!name.empty() && !is_name_char(name.front(), true) && is_name_char(name.front(), false)) {
    out += '_';  // a leading digit
  }
  for (char c : name)
    out += is_name_char(c, false) ? c : '_';
  return out;
}

std::string format_prometheus_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return "NaN";
  return std::string(buffer.data(), end);
}

std::string render_prometheus(const Snapshot& snapshot, const PrometheusOptions& options) {
  const std::string prefix =
      options.prefix.empty() ? "" : sanitize_prometheus_name(options.prefix) + "_";
  std::set<std::string, std::less<>> taken;  // every sample name emitted so far
  std::string out;

  for (const MetricSample& sample : snapshot) {
    std::string name = prefix + sanitize_prometheus_name(sample.name);
    const bool timer = sample.kind == MetricKind::kTimer;
    if (timer) name += "_seconds";
    std::vector<std::string> names{name};
    if (timer) {
      names.push_back(name + "_sum");
      names.push_back(name + "_count");
    }
    bool collides = false;
    for (const std::string& n : names)
      collides = collides || taken.contains(n);
    if (collides) {
      out += "# '" + escape_help(sample.name) + "' is not exported: the name " + name +
             " is already taken\n";
      continue;
    }
    taken.insert(names.begin(), names.end());

    const char* type = timer                                 ? "summary"
                       : sample.kind == MetricKind::kCounter ? "counter"
                                                             : "gauge";
    out += "# HELP " + name + " " + escape_help(sample.help.empty() ? sample.name : sample.help) +
           "\n";
    out += "# TYPE " + name + " " + type + "\n";
    if (!timer) {
      out += name + " " + format_prometheus_value(sample.value) + "\n";
      continue;
    }
    const TimerStats& t = sample.timer;
    for (size_t i = 0; i < kTimerPercentiles.size(); ++i) {
      // An empty window has no quantiles; Prometheus clients write NaN.
      const double seconds = t.window_count == 0 ? NAN : t.percentiles_ms[i] / 1000;
      out += name + "{quantile=\"" + format_prometheus_value(kTimerPercentiles[i].quantile) +
             "\"} " + format_prometheus_value(seconds) + "\n";
    }
    out += name + "_sum " + format_prometheus_value(t.total_ms / 1000) + "\n";
    out += name + "_count " + std::to_string(t.total_count) + "\n";
  }
  return out;
}

}  // namespace cairn::metrics
