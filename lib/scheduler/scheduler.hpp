// Scheduler: the callbacks a framework implements, as in Mesos'
// MesosSchedulerDriver ("Mesos in Action", chapter 10) but in snake_case.
//
// A SchedulerDriver calls these on its event loop thread, one at a time and
// only while the driver is running. Messages are the Mesos v1 JSON objects
// exactly as the wire carries them (OfferInfo, TaskStatus, MasterInfo...), so
// a framework can read any field; only identifiers are unwrapped from their
// {"value": ...} objects. Callbacks may call any driver method; the calls
// are queued and run after the callback returns.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cairn::scheduler {

class SchedulerDriver;

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // The first subscription of this driver succeeded (also after a framework
  // failover: a new driver that subscribes with an existing framework id).
  virtual void registered(SchedulerDriver& driver, const std::string& framework_id,
                          const nlohmann::json& master_info) = 0;
  // A later subscription succeeded, after disconnected().
  virtual void reregistered(SchedulerDriver& driver, const nlohmann::json& master_info) = 0;
  // The event stream broke (master gone, failed over, silent for too long);
  // the driver resubscribes by itself.
  virtual void disconnected(SchedulerDriver& driver) = 0;
  virtual void resource_offers(SchedulerDriver& driver,
                               const std::vector<nlohmann::json>& offers) = 0;
  virtual void offer_rescinded(SchedulerDriver& driver, const std::string& offer_id) = 0;
  // A TaskStatus. With implicit acknowledgements the driver acknowledges it
  // when this returns; otherwise call acknowledge_status_update().
  virtual void status_update(SchedulerDriver& driver, const nlohmann::json& status) = 0;
  // `data` is decoded from base64.
  virtual void framework_message(SchedulerDriver& driver, const std::string& executor_id,
                                 const std::string& agent_id, const std::string& data) = 0;
  virtual void agent_lost(SchedulerDriver& driver, const std::string& agent_id) = 0;
  // `status` is the executor's exit status, or -1 when the master sent none.
  virtual void executor_lost(SchedulerDriver& driver, const std::string& executor_id,
                             const std::string& agent_id, int status) = 0;
  // The master sent an ERROR event (the driver is already aborted), the
  // master refused the subscription, or a call was refused with a 4xx (the
  // driver keeps running).
  virtual void error(SchedulerDriver& driver, const std::string& message) = 0;
};

}  // namespace cairn::scheduler
