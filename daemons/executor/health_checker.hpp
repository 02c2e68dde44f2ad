// HealthChecker: Mesos-native health checks of one task, run by the
// executor (Mesos' HealthCheck message, checks against 127.0.0.1).
//
//   COMMAND  the CommandInfo runs like a task command (sh -c by default) in
//            the task's environment and sandbox; healthy iff it exits 0.
//   HTTP     GET <scheme>://127.0.0.1:<port><path>; healthy iff 200-399.
//   TCP      a connection to 127.0.0.1:<port> can be established.
//
// Timing follows Mesos: the first check `delay_seconds` (15) after start,
// then every `interval_seconds` (10) after the previous one finished; a
// check that takes longer than `timeout_seconds` (20) failed. Failures
// within `grace_period_seconds` (10) of the start are ignored until the
// first success. The callback hears every failure outside the grace period
// (with the count of consecutive failures and whether it reached
// `consecutive_failures` (3), i.e. the task must be killed) and the first
// success after the start or after failures: the updates Mesos' built-in
// executors forward.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "daemons/executor/task_process.hpp"
#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/units/duration.hpp"

namespace cairn::executor {

struct HealthCheckSpec {
  enum class Type { kCommand, kHttp, kTcp };
  Type type = Type::kCommand;
  nlohmann::json command;       // COMMAND: the CommandInfo
  std::string scheme = "http";  // HTTP
  std::string path = "/";       // HTTP
  uint16_t port = 0;            // HTTP, TCP
  Duration delay = Duration::seconds(15);
  Duration interval = Duration::seconds(10);
  Duration timeout = Duration::seconds(20);
  Duration grace_period = Duration::seconds(10);
  uint32_t consecutive_failures = 3;

  // A Mesos HealthCheck JSON object. Without `type`, a `command` field
  // makes it a COMMAND check (the pre-1.2 form).
  static Result<HealthCheckSpec> from_json(const nlohmann::json& json);
};

std::string_view to_string(HealthCheckSpec::Type type);

struct HealthResult {
  bool healthy = false;
  bool kill_task = false;  // consecutive failures reached the limit
  uint32_t consecutive_failures = 0;
  std::string message;  // why the check failed
};

class HealthChecker {
 public:
  using Callback = std::function<void(const HealthResult&)>;

  // COMMAND checks run with `environment` in `sandbox`.
  HealthChecker(EventLoop& loop, ProcessReaper& reaper, HealthCheckSpec spec,
                std::map<std::string, std::string> environment, std::string sandbox,
                std::string task_id, Callback callback);
  ~HealthChecker();  // stops; a running check command is killed
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  void start();
  // No more checks or callbacks.
  void stop();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::executor
