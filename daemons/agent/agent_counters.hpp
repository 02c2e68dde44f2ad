// Counters the agent bumps as things happen (Mesos' slave/* names); gauges
// are computed from state when a snapshot is taken. Private to the agent.
#pragma once

#include <memory>

#include "daemons/agent/agent.hpp"
#include "lib/metrics/counter.hpp"

namespace cairn::agent {

struct Agent::Counters {
  std::shared_ptr<metrics::Counter> tasks_received;
  std::shared_ptr<metrics::Counter> executors_launched;
  std::shared_ptr<metrics::Counter> executors_terminated;
  std::shared_ptr<metrics::Counter> valid_status_updates;
  std::shared_ptr<metrics::Counter> invalid_status_updates;
  std::shared_ptr<metrics::Counter> tasks_finished;
  std::shared_ptr<metrics::Counter> tasks_failed;
  std::shared_ptr<metrics::Counter> tasks_killed;
  std::shared_ptr<metrics::Counter> tasks_lost;
  std::shared_ptr<metrics::Counter> recovery_errors;
};

}  // namespace cairn::agent
