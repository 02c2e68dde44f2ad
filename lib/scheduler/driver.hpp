// SchedulerDriver: a framework's connection to the master over the Mesos v1
// scheduler HTTP API, behind Mesos' classic driver interface.
//
// start() POSTs SUBSCRIBE to /api/v1/scheduler and reads the RecordIO event
// stream, turning events into Scheduler callbacks on the driver's event
// loop (its own thread unless DriverOptions::loop names one). Calls such as
// launch_tasks() are POSTed with the stream's Mesos-Stream-Id. When the
// stream ends or goes silent for five heartbeat intervals the driver calls
// disconnected() and resubscribes with jittered exponential backoff, using
// the framework id it was given so that the master sees a failover, not a
// new framework; a 307 from a master that is not leading is followed to
// the leader. With a ZooKeeper URL as the master the driver follows the
// leader elected there (lib/detector): when the leader changes it drops
// its subscription (disconnected()) and subscribes to the new leader with
// its framework id (reregistered()); while there is no leader it waits.
// An ERROR event aborts the driver. Every method is safe from
// any thread, returns at once with the driver's status, and does nothing
// unless the driver is running (except start/stop/abort/join).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/event/event_loop.hpp"
#include "lib/http/tls.hpp"
#include "lib/scheduler/scheduler.hpp"
#include "lib/units/duration.hpp"

namespace cairn::scheduler {

// Mesos' DRIVER_NOT_STARTED, DRIVER_RUNNING, DRIVER_ABORTED, DRIVER_STOPPED.
enum class DriverStatus { kNotStarted, kRunning, kAborted, kStopped };

// "DRIVER_RUNNING"...
std::string_view to_string(DriverStatus status);

struct DriverOptions {
  // "host:port", "host" (port 5050), "http(s)://host:port[/prefix]", or
  // "zk://[user:password@]host1:2181,host2:2181/path" to follow the master
  // elected in ZooKeeper there; "file:///path" names a file holding one of
  // these (so that a ZooKeeper password stays out of the command line).
  std::string master;
  // Session timeout of the ZooKeeper leader detector (zk:// masters).
  Duration zk_session_timeout = Duration::seconds(10);
  // For https masters: CA (system store when empty), client certificate.
  http::TlsClientOptions tls;
  // HTTP basic authentication with the master when `principal` is set.
  std::string principal;
  std::string secret;
  // Resubscription backoff: the first delay is at most `initial_backoff`,
  // later ones double up to `max_backoff`.
  Duration initial_backoff = Duration::seconds(1);
  Duration max_backoff = Duration::seconds(30);
  // Acknowledge status updates that carry a uuid once status_update()
  // returns. When false the framework calls acknowledge_status_update().
  bool implicit_acknowledgements = true;
  // Time to connect and get a response head (calls and SUBSCRIBE).
  Duration request_timeout = Duration::seconds(30);
  // The loop to run on; the driver runs its own thread when null.
  EventLoop* loop = nullptr;
};

class SchedulerDriver {
 public:
  // `framework_info` is the FrameworkInfo JSON; give it an "id" to fail
  // over an existing framework.
  SchedulerDriver(Scheduler& scheduler, nlohmann::json framework_info, DriverOptions options);
  // Disconnects without TEARDOWN (like stop(true)) if still running. Do not
  // destroy a driver from its own callbacks; with DriverOptions::loop,
  // destroy it while that loop still runs.
  ~SchedulerDriver();
  SchedulerDriver(const SchedulerDriver&) = delete;
  SchedulerDriver& operator=(const SchedulerDriver&) = delete;

  DriverStatus start();
  // failover = false tears the framework down (TEARDOWN: its tasks are
  // killed); true only disconnects so that another scheduler instance can
  // take over with the same framework id.
  DriverStatus stop(bool failover = false);
  DriverStatus abort();
  // Blocks until the driver is stopped or aborted (and a TEARDOWN sent by
  // stop() was answered). Not from the driver's own loop thread.
  DriverStatus join();
  DriverStatus run();  // start() then join()
  DriverStatus status() const;

  // ACCEPT with one LAUNCH operation. Tasks launched while the driver is
  // not subscribed come back as TASK_LOST (TASK_DROPPED for PARTITION_AWARE
  // frameworks) status updates, as in Mesos.
  DriverStatus launch_tasks(const std::vector<std::string>& offer_ids,
                            const std::vector<nlohmann::json>& task_infos,
                            const nlohmann::json& filters = nlohmann::json());
  // ACCEPT with any operations (a JSON array of Offer.Operation).
  DriverStatus accept_offers(const std::vector<std::string>& offer_ids,
                             const nlohmann::json& operations,
                             const nlohmann::json& filters = nlohmann::json());
  // `filters` e.g. {"refuse_seconds": 60}.
  DriverStatus decline_offer(const std::string& offer_id,
                             const nlohmann::json& filters = nlohmann::json());
  DriverStatus kill_task(const std::string& task_id,
                         const std::optional<std::string>& agent_id = std::nullopt);
  DriverStatus revive_offers(const std::vector<std::string>& roles = {});
  DriverStatus suppress_offers(const std::vector<std::string>& roles = {});
  // Needs the status' agent_id, task_id and uuid; a status without a uuid
  // needs no acknowledgement and is skipped.
  DriverStatus acknowledge_status_update(const nlohmann::json& status);
  // TaskStatus objects with task_id (and agent_id); none reconciles every
  // task of the framework.
  DriverStatus reconcile_tasks(const std::vector<nlohmann::json>& statuses);
  // `data` is raw bytes (base64-encoded on the wire).
  DriverStatus send_framework_message(const std::string& executor_id, const std::string& agent_id,
                                      const std::string& data);

  // Defined in the .cpp; public only so that its helpers can name it.
  struct Impl;

 private:
  std::unique_ptr<EventLoop> own_loop_;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cairn::scheduler
