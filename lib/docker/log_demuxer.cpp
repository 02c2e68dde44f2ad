#include "lib/docker/log_demuxer.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace cairn::docker {

Status LogDemuxer::feed(std::string_view bytes) {
  if (failed_) return Error("the log stream already failed");
  while (!bytes.empty()) {
    if (remaining_ == 0) {
      size_t take = std::min(bytes.size(), header_.size() - header_size_);
      std::copy_n(bytes.begin(), take, header_.begin() + header_size_);
      header_size_ += take;
      bytes.remove_prefix(take);
      if (header_size_ < header_.size()) break;
      header_size_ = 0;
      if (header_[0] > 2 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
        failed_ = true;
        char shown[64];
        std::snprintf(shown, sizeof(shown), "%02x %02x %02x %02x", header_[0], header_[1],
                      header_[2], header_[3]);
        return Error(std::string("not a multiplexed log stream: frame header starts with ") +
                     shown + " (was the container created with a TTY?)");
      }
      stream_ = static_cast<LogStream>(header_[0]);
      remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                   (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
      continue;
    }
    size_t take = std::min<size_t>(bytes.size(), remaining_);
    remaining_ -= static_cast<uint32_t>(take);
    Status written = sink_(stream_, bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (!written.ok()) {
      failed_ = true;
      return written;
    }
  }
  return ok_status();
}

std::string encode_log_frame(LogStream stream, std::string_view payload) {
  std::string frame(8, '\0');
  frame[0] = static_cast<char>(stream);
  auto size = static_cast<uint32_t>(payload.size());
  frame[4] = static_cast<char>((size >> 24) & 0xFF);
  frame[5] = static_cast<char>((size >> 16) & 0xFF);
  frame[6] = static_cast<char>((size >> 8) & 0xFF);
  frame[7] = static_cast<char>(size & 0xFF);
  frame.append(payload);
  return frame;
}

}  // namespace cairn::docker
