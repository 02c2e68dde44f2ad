// FakeMaster: a test double of the master's scheduler endpoint.
//
// It serves just enough of POST /api/v1/scheduler (and the
// /master/api/v1/scheduler alias) on 127.0.0.1 to drive a SchedulerDriver:
// the v1 format checks (lib/http check_api_call: Content-Type, Accept),
// the master's own call validation (lib/mesos parse_scheduler_call),
// SUBSCRIBE answered with a 200 RecordIO stream that starts with SUBSCRIBED
// and carries a fresh Mesos-Stream-Id, other calls checked against that
// stream id and answered 202 (403 when nobody is subscribed), TEARDOWN
// closing the stream. Tests push events, close the stream, make it redirect
// or refuse, and read back every call it received. It runs its own loop
// thread; every method is safe from the test thread.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cairn::scheduler::testing {

struct ReceivedCall {
  std::string path;
  std::string content_type;
  std::string accept;
  std::string stream_id;  // the Mesos-Stream-Id header, "" when absent
  std::string authorization;
  nlohmann::json body;
  int status = 0;  // what the fake answered

  std::string type() const;
};

class FakeMaster {
 public:
  // `port` 0 picks a free one; `framework_id` is given to a SUBSCRIBE whose
  // framework_info has no id.
  explicit FakeMaster(std::string framework_id = "fake-framework-0000", uint16_t port = 0);
  ~FakeMaster();
  FakeMaster(const FakeMaster&) = delete;
  FakeMaster& operator=(const FakeMaster&) = delete;

  // False when binding failed (the reason is in error()).
  bool ok() const;
  const std::string& error() const;
  uint16_t port() const;
  std::string address() const;  // "127.0.0.1:port"

  // heartbeat_interval_seconds of the SUBSCRIBED event (default 15).
  void set_heartbeat_interval(double seconds);
  // Answer every request with 307 to `location`, as a master that does not
  // lead; "" serves again.
  void redirect_to(std::string location);
  // Answer the next non-SUBSCRIBE call with 307 to `location`.
  void redirect_next_call(std::string location);
  // Answer non-SUBSCRIBE calls with `status` (0: the normal 202).
  void set_call_status(int status, std::string body = "");
  // Answer SUBSCRIBE with `status` (0: subscribe normally).
  void set_subscribe_status(int status, std::string body = "");

  // Writes one event, RecordIO-framed, to the open stream; false if none.
  bool send(const nlohmann::json& event);
  // Ends the stream (as a master that fails over or restarts).
  void close_stream();
  bool streaming() const;
  std::string stream_id() const;
  // SUBSCRIBE calls answered with a stream.
  int subscriptions() const;

  // Every call that passed the format checks, in arrival order.
  std::vector<ReceivedCall> calls() const;
  std::vector<ReceivedCall> calls_of(const std::string& type) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cairn::scheduler::testing
