// LogDemuxer: splits Docker's multiplexed log stream into stdout and stderr.
//
// For containers without a TTY the engine sends logs (and attach output) as
// frames: an 8-byte header — stream (0 stdin, 1 stdout, 2 stderr), three
// zero bytes, the payload length as a big-endian uint32 — then the payload.
// Network reads cut frames anywhere, so feed() takes bytes as they come and
// hands payload pieces to the sink as soon as they arrive (a large frame is
// not buffered whole). A header that cannot be a frame header (unknown
// stream, non-zero padding) is an error: the stream is not multiplexed, as
// happens for containers created with a TTY.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "lib/base/result.hpp"

namespace cairn::docker {

enum class LogStream : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2 };

class LogDemuxer {
 public:
  // Receives each payload piece in order; an error stops the demuxer and
  // is returned by feed().
  using Sink = std::function<Status(LogStream stream, std::string_view data)>;

  explicit LogDemuxer(Sink sink) : sink_(std::move(sink)) {}

  Status feed(std::string_view bytes);

  // Whether the bytes so far ended inside a frame (a stream cut short).
  bool mid_frame() const { return header_size_ > 0 || remaining_ > 0; }

 private:
  Sink sink_;
  std::array<unsigned char, 8> header_{};
  size_t header_size_ = 0;
  uint32_t remaining_ = 0;  // payload bytes still to come in the current frame
  LogStream stream_ = LogStream::kStdout;
  bool failed_ = false;
};

// One frame as the engine writes it (for tests and fakes).
std::string encode_log_frame(LogStream stream, std::string_view payload);

}  // namespace cairn::docker
