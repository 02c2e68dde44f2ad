// The Mesos rendering of a metrics snapshot: one flat object of name ->
// number, keys sorted, every value a double ({"master/elected":1.0,...}),
// as `/metrics/snapshot` and the operator API's GET_METRICS return it.
//
// A timer "<name>" contributes "<name>_ms" (the last sample) and
// "<name>_ms/count", "/min", "/max", "/p50", "/p90", "/p95", "/p99",
// "/p999", "/p9999" over its window, in milliseconds; a timer with no
// samples contributes nothing, as in Mesos. Non-finite gauge values are
// written as null (JSON has no NaN).
#pragma once

#include <map>
#include <string>

#include "lib/metrics/snapshot.hpp"

namespace cairn::metrics {

std::map<std::string, double> flatten(const Snapshot& snapshot);

std::string render_mesos_json(const Snapshot& snapshot);

}  // namespace cairn::metrics
