// The counters and timers the master bumps as things happen (Mesos'
// names); gauges are computed from state when a snapshot is taken. Private
// to the master's sources.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "daemons/master/master.hpp"
#include "lib/metrics/counter.hpp"
#include "lib/metrics/timer.hpp"

namespace cairn::master {

struct Master::Counters {
  std::map<mesos::TaskState, std::shared_ptr<metrics::Counter>> terminal_tasks;
  std::shared_ptr<metrics::Counter> valid_status_updates;
  std::shared_ptr<metrics::Counter> invalid_status_updates;
  std::shared_ptr<metrics::Counter> agent_registrations;
  std::shared_ptr<metrics::Counter> agent_reregistrations;
  std::shared_ptr<metrics::Counter> agent_removals;
  std::shared_ptr<metrics::Counter> agents_unreachable;
  std::shared_ptr<metrics::Counter> offers_made;
  std::shared_ptr<metrics::Counter> offers_declined;
  std::shared_ptr<metrics::Counter> offers_rescinded;
  std::shared_ptr<metrics::Counter> tasks_launched;
  std::shared_ptr<metrics::Counter> invalid_scheduler_calls;
  std::shared_ptr<metrics::Counter> framework_messages;
  std::shared_ptr<metrics::Counter> allocation_runs;
  std::shared_ptr<metrics::Timer> allocation_time;
  std::map<std::string, std::pair<std::shared_ptr<metrics::Counter>,
                                  std::shared_ptr<metrics::Counter>>> per_principal;
};

}  // namespace cairn::master
