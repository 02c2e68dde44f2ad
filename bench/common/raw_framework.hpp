// RawFramework: what the benches' Mesos v1 frameworks share, written in raw
// JSON over lib/http as a third-party framework would be (no SDK): the
// SUBSCRIBE event stream; calls sent in order with a few in flight (a real
// framework does not open a connection per call); tasks of cpus 0.1, mem 32,
// "sleep 1000" launched into offers, what is not used declined, and every
// status update acknowledged. A subclass decides how many tasks each offer
// gets, keeps its own books on launches and updates, and says what a
// refusal, a broken stream or an ERROR event means for its bench: fatal for
// bench/master_load's LoadFramework, retried for bench/failover's
// FailoverFramework.
//
// Everything runs on the EventLoop given to it, hooks included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bench/common/figures.hpp"
#include "lib/base/result.hpp"
#include "lib/event/event_loop.hpp"
#include "lib/http/client.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::bench {

struct RawFrameworkOptions {
  std::string task_prefix;    // task ids are <task_prefix><n>
  double refuse_seconds = 1;  // the filter of every ACCEPT and DECLINE
  size_t max_calls_in_flight = 8;
};

// The counts every raw framework keeps; its figures extend them.
struct RawFrameworkCounts {
  std::string framework_id;
  size_t offers = 0;    // offers received
  size_t declined = 0;  // offers declined
  size_t accept_calls = 0;
  size_t acknowledgements = 0;
  size_t call_errors = 0;             // calls not answered 202
  std::vector<std::string> messages;  // the first few problems
};

class RawFramework : public std::enable_shared_from_this<RawFramework> {
 public:
  virtual ~RawFramework();
  RawFramework(const RawFramework&) = delete;
  RawFramework& operator=(const RawFramework&) = delete;

 protected:
  struct PendingCall {
    nlohmann::json body;
    std::vector<std::string> launched;  // task ids of an ACCEPT
  };

  RawFramework(EventLoop& loop, RawFrameworkOptions options);

  // Where the next stream goes: "http://ip:port".
  Status set_master(const std::string& master_url);
  // SUBSCRIBEs with `framework_info` (and the framework id, once there is
  // one) on a new stream. The old stream, its calls queued or in flight and
  // its callbacks are dropped: a new subscription starts from a clean slate.
  void open_stream(nlohmann::json framework_info);
  // The stream is gone (the subclass heard so in stream_ended()).
  void forget_stream();
  // Drops the stream and every call; no callback or hook runs afterwards.
  void close();
  void note(const std::string& message);

  bool closed() const { return closed_; }
  bool has_master() const { return url_.has_value(); }
  bool stream_open() const { return stream_ != nullptr && !stream_id_.empty(); }
  uint64_t generation() const { return generation_; }  // one per stream
  const RawFrameworkCounts& counts() const { return counts_; }

  // Hooks.
  // SUBSCRIBE was answered other than 200; stream_ended() follows.
  // By default a stream_error().
  virtual void refused(const http::Response& head);
  // The stream of `generation` ended (status: why, when not by the master).
  virtual void stream_ended(uint64_t generation, Status status) = 0;
  // Malformed RecordIO, an ERROR event.
  virtual void stream_error(const std::string& why) = 0;
  virtual void subscribed() {}  // SUBSCRIBED: counts().framework_id is set
  virtual void failure_event(const nlohmann::json& /*event*/) {}
  // Before the offers of an OFFERS event (received at `now`) are used.
  virtual void offers_arrived(Clock::time_point /*now*/) {}
  // How many tasks `offer` may get at most, before what fits in it.
  virtual size_t wanted(const nlohmann::json& offer) = 0;
  // `ids` are about to be launched on `offer`.
  virtual void launching(const nlohmann::json& offer, const std::vector<std::string>& ids,
                         Clock::time_point now) = 0;
  // A status update for `task_id`, after its acknowledgement was queued.
  virtual void updated(const std::string& task_id, const std::string& state,
                       const nlohmann::json& status, Clock::time_point now) = 0;
  virtual void call_sent(const PendingCall& /*call*/, Clock::time_point /*now*/) {}
  // After the failure is counted and noted.
  virtual void call_failed(const PendingCall& /*call*/) {}

  EventLoop& loop_;

 private:
  void handle(const nlohmann::json& event);
  void handle_offers(const nlohmann::json& offers);
  void handle_update(const nlohmann::json& status);
  void call(nlohmann::json body, std::vector<std::string> launched = {});
  void pump();

  RawFrameworkOptions options_;
  std::optional<http::Url> url_;
  std::unique_ptr<http::Client> client_;
  std::shared_ptr<http::ClientStream> stream_;
  recordio::Decoder decoder_;
  std::string stream_id_;
  uint64_t generation_ = 0;  // callbacks of older streams are ignored
  bool closed_ = false;
  size_t next_task_ = 0;
  std::deque<PendingCall> queue_;
  size_t in_flight_ = 0;
  RawFrameworkCounts counts_;
};

}  // namespace cairn::bench
