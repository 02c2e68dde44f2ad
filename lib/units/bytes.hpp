// Bytes: a size written the Mesos way ("512MB", "10GB", "4096B").
//
// parse() accepts a non-negative number followed by one of B, KB, MB, GB, TB
// (powers of 1024, as stout does). to_string() prints the largest unit that
// divides the value exactly, so "1024MB" prints as "1GB".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn {

class Bytes {
 public:
  static constexpr uint64_t KB = 1024;
  static constexpr uint64_t MB = 1024 * KB;
  static constexpr uint64_t GB = 1024 * MB;
  static constexpr uint64_t TB = 1024 * GB;

  constexpr Bytes() = default;
  constexpr explicit Bytes(uint64_t bytes) : bytes_(bytes) {}

  static Result<Bytes> parse(std::string_view text);

  constexpr uint64_t bytes() const { return bytes_; }
  constexpr double megabytes() const { return static_cast<double>(bytes_) / MB; }
  std::string to_string() const;

  constexpr auto operator<=>(const Bytes&) const = default;

 private:
  uint64_t bytes_ = 0;
};

}  // namespace cairn
