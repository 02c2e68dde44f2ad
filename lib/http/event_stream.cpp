#include "lib/http/event_stream.hpp"

#include <nlohmann/json.hpp>

#include "lib/logging/log.hpp"
#include "lib/recordio/recordio.hpp"

namespace cairn::http {

EventStream::EventStream(std::shared_ptr<StreamWriter> writer, std::string id)
    : writer_(std::move(writer)), id_(std::move(id)) {}

bool EventStream::send(const nlohmann::json& event) {
  if (writer_ == nullptr || writer_->closed()) return false;
  if (writer_->queued_bytes() > kMaxBacklog) {
    log::warning("Closing event stream {}: the reader is {} bytes behind", id_,
                 writer_->queued_bytes());
    writer_->close();
    return false;
  }
  return writer_->write(recordio::encode(event.dump()));
}

void EventStream::close() {
  if (writer_ != nullptr) writer_->close();
}

bool EventStream::closed() const { return writer_ == nullptr || writer_->closed(); }

}  // namespace cairn::http
