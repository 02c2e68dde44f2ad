#include "lib/metrics/registry.hpp"

#include <vector>

#include "lib/base/suggest.hpp"

namespace cairn::metrics {
namespace {

// The keys a metric occupies in the flat Mesos snapshot.
std::vector<std::string> mesos_keys(const std::string& name, MetricKind kind) {
  if (kind != MetricKind::kTimer) return {name};
  const std::string base = name + "_ms";
  std::vector<std::string> keys{base, base + "/count", base + "/min", base + "/max"};
  for (const Percentile& p : kTimerPercentiles)
    keys.push_back(base + "/" + std::string(p.key));
  return keys;
}

}  // namespace

Status validate_metric_name(std::string_view name) {
  const std::string quoted = "invalid metric name '" + std::string(name) + "': ";
  if (name.empty()) return Error("invalid metric name '': expected e.g. 'master/tasks_running'");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return Error(quoted +
                   "contains a space or control character (expected "
                   "slash-separated words such as 'master/tasks_running')");
    }
  }
  if (name.front() == '/' || name.back() == '/' || name.find("//") != std::string_view::npos) {
    return Error(quoted +
                 "has an empty segment (expected slash-separated words such as "
                 "'master/tasks_running')");
  }
  return ok_status();
}

Status Registry::insert(std::string name, Entry entry) {
  if (Status st = validate_metric_name(name); !st.ok()) return st;
  const std::vector<std::string> keys = mesos_keys(name, entry.kind);
  std::lock_guard lock(mutex_);
  if (entries_.contains(name)) {
    return Error("metric '" + name + "' is already registered");
  }
  for (const std::string& key : keys) {
    if (keys_in_use_.contains(key)) {
      return Error("metric '" + name + "' would export '" + key +
                   "', which another metric already exports");
    }
  }
  keys_in_use_.insert(keys.begin(), keys.end());
  entries_.emplace(std::move(name), std::move(entry));
  return ok_status();
}

void Registry::erase(std::map<std::string, Entry, std::less<>>::iterator it) {
  for (const std::string& key : mesos_keys(it->first, it->second.kind))
    keys_in_use_.erase(key);
  entries_.erase(it);
}

Result<std::shared_ptr<Counter>> Registry::counter(std::string name, std::string help) {
  auto counter = std::make_shared<Counter>();
  Entry entry{MetricKind::kCounter, std::move(help), counter, nullptr, nullptr, nullptr};
  if (Status st = insert(std::move(name), std::move(entry)); !st.ok()) return Error(st.error());
  return counter;
}

Result<std::shared_ptr<Gauge>> Registry::gauge(std::string name, std::string help) {
  auto gauge = std::make_shared<Gauge>();
  Entry entry{MetricKind::kGauge, std::move(help), nullptr, gauge, nullptr, nullptr};
  if (Status st = insert(std::move(name), std::move(entry)); !st.ok()) return Error(st.error());
  return gauge;
}

Status Registry::gauge(std::string name, std::string help, GaugeCallback callback) {
  if (!callback) return Error("gauge '" + name + "': the callback is empty");
  Entry entry{MetricKind::kGauge, std::move(help), nullptr, nullptr, std::move(callback), nullptr};
  return insert(std::move(name), std::move(entry));
}

Result<std::shared_ptr<Timer>> Registry::timer(std::string name, std::string help, size_t window) {
  if (window == 0) {
    return Error("timer '" + name + "': the window must hold at least 1 sample");
  }
  auto timer = std::make_shared<Timer>(window);
  Entry entry{MetricKind::kTimer, std::move(help), nullptr, nullptr, nullptr, timer};
  if (Status st = insert(std::move(name), std::move(entry)); !st.ok()) return Error(st.error());
  return timer;
}

Status Registry::remove(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::vector<std::string> names;
    for (const auto& [n, e] : entries_)
      names.push_back(n);
    std::string message = "no metric named '" + std::string(name) + "'";
    if (auto match = closest_match(name, names)) message += " (did you mean '" + *match + "'?)";
    return Error(message);
  }
  erase(it);
  return ok_status();
}

size_t Registry::remove_prefix(std::string_view prefix) {
  while (prefix.ends_with('/'))
    prefix.remove_suffix(1);
  if (prefix.empty()) return 0;  // "" and "/" would mean everything: refuse quietly
  const std::string below = std::string(prefix) + "/";
  std::lock_guard lock(mutex_);
  size_t removed = 0;
  for (auto it = entries_.lower_bound(prefix); it != entries_.end();) {
    if (it->first == prefix || it->first.starts_with(below)) {
      erase(it++);
      ++removed;
    } else if (it->first.starts_with(prefix)) {
      ++it;  // "frameworks/alice2" sorts between "frameworks/alice" and "frameworks/alice/x"
    } else {
      break;
    }
  }
  return removed;
}

bool Registry::contains(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return entries_.contains(name);
}

size_t Registry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

Snapshot Registry::snapshot() const {
  std::vector<std::pair<std::string, Entry>> entries;
  {
    std::lock_guard lock(mutex_);
    entries.assign(entries_.begin(), entries_.end());
  }
  Snapshot snapshot;
  snapshot.reserve(entries.size());
  for (auto& [name, entry] : entries) {
    MetricSample sample{name, entry.help, entry.kind, 0, {}};
    if (entry.counter) {
      sample.value = static_cast<double>(entry.counter->value());
    } else if (entry.gauge) {
      sample.value = entry.gauge->value();
    } else if (entry.callback) {
      std::optional<double> value = entry.callback();
      if (!value) continue;
      sample.value = *value;
    } else if (entry.timer) {
      sample.timer = entry.timer->stats();
    }
    snapshot.push_back(std::move(sample));
  }
  return snapshot;
}

}  // namespace cairn::metrics
