// ExecutorEnvironment: what an executor learns from the environment the
// agent launched it with (Mesos' names, so that Mesos agents can run
// cairn-executor and Cairn agents can run Mesos executors).
//
// Required: MESOS_AGENT_ENDPOINT ("ip:port"; calls go to
// http://<endpoint>/api/v1/executor), MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID
// and the sandbox (MESOS_SANDBOX, else MESOS_DIRECTORY). Optional, with
// Mesos' defaults: MESOS_CHECKPOINT ("1"/"0", off), MESOS_RECOVERY_TIMEOUT
// (15mins), MESOS_SUBSCRIPTION_BACKOFF_MAX (2secs),
// MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD (5secs), MESOS_AGENT_ID or
// MESOS_SLAVE_ID (else taken from the SUBSCRIBED event). Every problem is
// reported at once, naming the variables.
#pragma once

#include <optional>
#include <string>

#include "lib/base/result.hpp"
#include "lib/flags/environment.hpp"
#include "lib/units/duration.hpp"

namespace cairn::executor {

struct ExecutorEnvironment {
  std::string agent_endpoint;  // "ip:port" (or "host:port")
  std::string framework_id;
  std::string executor_id;
  std::string sandbox;  // the tasks' working directory
  std::optional<std::string> agent_id;
  bool checkpoint = false;
  Duration recovery_timeout = Duration::minutes(15);
  Duration subscription_backoff_max = Duration::seconds(2);
  Duration shutdown_grace_period = Duration::seconds(5);

  // http://<agent_endpoint>/api/v1/executor
  std::string api_url() const;

  static Result<ExecutorEnvironment> from(const flags::Environment& env);
};

}  // namespace cairn::executor
