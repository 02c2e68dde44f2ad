// RecordIO: the framing of Mesos event streams, "<length>\n<bytes>".
//
// The scheduler, executor and operator APIs stream events as RecordIO
// records inside a chunked HTTP response; TCP and HTTP chunking split them
// anywhere. encode() frames one record; Decoder accepts bytes in arbitrary
// pieces and yields whole records, refusing a malformed length header or a
// record larger than its limit (after which it stays failed: a stream with a
// bad frame cannot be resynchronised).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::recordio {

std::string encode(std::string_view record);

class Decoder {
 public:
  static constexpr size_t kDefaultMaxRecord = 64 * 1024 * 1024;

  explicit Decoder(size_t max_record = kDefaultMaxRecord) : max_record_(max_record) {}

  // Consumes data; whole records become available through next().
  Status feed(std::string_view data);
  std::optional<std::string> next();

  // Bytes of an incomplete record still buffered (0 at a record boundary).
  size_t pending_bytes() const { return header_.size() + body_.size(); }
  bool failed() const { return !error_.empty(); }

 private:
  size_t max_record_;
  std::string header_;                 // digits of the length read so far
  std::optional<size_t> body_length_;  // set once the '\n' is seen
  std::string body_;
  std::deque<std::string> records_;
  std::string error_;
};

}  // namespace cairn::recordio
