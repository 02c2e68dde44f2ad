// EventStream: one subscriber's RecordIO stream of JSON events (a
// framework's scheduler stream, an agent's or executor's stream, an
// operator's event stream).
//
// Wraps the HTTP StreamWriter: each event is one RecordIO record. A reader
// that falls more than kMaxBacklog behind is cut off rather than allowed to
// grow the daemon's memory without bound; it reconnects and reconciles.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "lib/http/handler.hpp"

namespace cairn::http {

class EventStream {
 public:
  static constexpr size_t kMaxBacklog = 64 * 1024 * 1024;

  EventStream(std::shared_ptr<StreamWriter> writer, std::string id);

  // False when the stream is closed (or was just cut for backlog).
  bool send(const nlohmann::json& event);
  void close();
  bool closed() const;
  const std::string& id() const { return id_; }  // Mesos-Stream-Id

 private:
  std::shared_ptr<StreamWriter> writer_;
  std::string id_;
};

}  // namespace cairn::http
