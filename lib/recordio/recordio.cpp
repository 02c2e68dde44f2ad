#include "lib/recordio/recordio.hpp"

namespace cairn::recordio {

std::string encode(std::string_view record) {
  std::string out = std::to_string(record.size());
  out.reserve(out.size() + 1 + record.size());
  out += '\n';
  out += record;
  return out;
}

Status Decoder::feed(std::string_view data) {
  if (failed()) return Error(error_);
  size_t i = 0;
  while (i < data.size()) {
    if (!body_length_) {
      const char c = data[i++];
      if (c == '\n') {
        if (header_.empty()) {
          error_ = "RecordIO: empty record length";
          return Error(error_);
        }
        body_length_ = std::stoull(header_);  // digits only and bounded below
        header_.clear();
        body_.reserve(*body_length_);
      } else if (c >= '0' && c <= '9') {
        header_ += c;
        if (header_.size() > 1 && header_[0] == '0') {
          error_ = "RecordIO: record length '" + header_ + "' has a leading zero";
          return Error(error_);
        }
        if (header_.size() > 19 || std::stoull(header_) > max_record_) {
          error_ = "RecordIO: record length '" + header_ + "' exceeds the limit of " +
                   std::to_string(max_record_) + " bytes";
          return Error(error_);
        }
        continue;
      } else {
        error_ = std::string("RecordIO: unexpected byte 0x") + "0123456789abcdef"[(c >> 4) & 0xf] +
                 "0123456789abcdef"[c & 0xf] + " in record length (expected digits then '\\n')";
        return Error(error_);
      }
    }
    const size_t want = *body_length_ - body_.size();
    const size_t take = std::min(want, data.size() - i);
    body_.append(data.substr(i, take));
    i += take;
    if (body_.size() == *body_length_) {
      records_.push_back(std::move(body_));
      body_.clear();
      body_length_.reset();
    }
  }
  return ok_status();
}

std::optional<std::string> Decoder::next() {
  if (records_.empty()) return std::nullopt;
  std::string r = std::move(records_.front());
  records_.pop_front();
  return r;
}

}  // namespace cairn::recordio
