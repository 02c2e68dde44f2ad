// Registry: the metrics of one daemon, by Mesos-style name.
//
// A daemon owns one registry and passes it to the components that register
// metrics (no global singleton: tests and in-process clusters run several
// daemons in one process). Registering hands back a shared handle that the
// component keeps and bumps; removing a metric (a framework goes away and
// with it "frameworks/<principal>/...") drops it from snapshots while
// handles still held stay valid and simply stop being reported.
//
// Names are slash-separated segments of printable characters without
// spaces, as Mesos writes them: "master/tasks_running",
// "frameworks/alice/messages_received". Registering a name twice is an
// error, and so is a name that would collide in the Mesos snapshot with the
// keys a timer exports ("<timer>_ms", "<timer>_ms/p99", ...).
//
// All member functions are thread-safe. Gauge callbacks run in snapshot(),
// on the caller's thread and outside the registry's lock, so they may read
// state owned by the thread that takes snapshots (the daemon's event loop).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/metrics/counter.hpp"
#include "lib/metrics/gauge.hpp"
#include "lib/metrics/snapshot.hpp"
#include "lib/metrics/timer.hpp"

namespace cairn::metrics {

// nullopt leaves the gauge out of that snapshot (a value not known yet).
using GaugeCallback = std::function<std::optional<double>()>;

// The error says which rule the name breaks.
Status validate_metric_name(std::string_view name);

class Registry {
 public:
  Result<std::shared_ptr<Counter>> counter(std::string name, std::string help = "");
  Result<std::shared_ptr<Gauge>> gauge(std::string name, std::string help = "");
  Status gauge(std::string name, std::string help, GaugeCallback callback);
  // Exported as "<name>_ms" and "<name>_ms/..." (Mesos) or a summary (Prometheus).
  Result<std::shared_ptr<Timer>> timer(std::string name, std::string help = "",
                                       size_t window = Timer::kDefaultWindow);

  // Error when no metric has that name.
  Status remove(std::string_view name);
  // Removes `prefix` and every metric below it ("frameworks/alice" removes
  // "frameworks/alice/calls" but not "frameworks/alice2/calls"); returns how
  // many were removed.
  size_t remove_prefix(std::string_view prefix);

  bool contains(std::string_view name) const;
  size_t size() const;

  Snapshot snapshot() const;

 private:
  struct Entry {
    MetricKind kind;
    std::string help;
    std::shared_ptr<Counter> counter;
    std::shared_ptr<Gauge> gauge;
    GaugeCallback callback;
    std::shared_ptr<Timer> timer;
  };

  Status insert(std::string name, Entry entry);
  void erase(std::map<std::string, Entry, std::less<>>::iterator it);  // mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::set<std::string, std::less<>> keys_in_use_;  // every key the Mesos snapshot will hold
};

}  // namespace cairn::metrics
