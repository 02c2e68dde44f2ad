// Duration: a span of time written the Mesos way ("10secs", "5mins", "500ms").
//
// Flags, the cluster spec and the HTTP APIs all take durations as text in
// stout's units: ns, us, ms, secs, mins, hrs, days, weeks. A Duration is a
// count of nanoseconds; parse() accepts a non-negative decimal number followed
// by exactly one unit, and to_string() prints the largest unit that keeps the
// value readable, so parse(to_string(d)) == d for whole-unit values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn {

class Duration {
 public:
  constexpr Duration() = default;

  static constexpr Duration nanoseconds(int64_t n) { return Duration(n); }
  static constexpr Duration milliseconds(int64_t n) { return Duration(n * 1'000'000); }
  static constexpr Duration seconds(int64_t n) { return Duration(n * 1'000'000'000); }
  static constexpr Duration minutes(int64_t n) { return seconds(n * 60); }
  static constexpr Duration hours(int64_t n) { return minutes(n * 60); }
  static Duration from_seconds(double secs);

  // "10secs", "1.5hrs", "500ms". Error names the valid units.
  static Result<Duration> parse(std::string_view text);

  constexpr int64_t ns() const { return ns_; }
  constexpr int64_t ms() const { return ns_ / 1'000'000; }
  constexpr double secs() const { return static_cast<double>(ns_) / 1e9; }
  std::chrono::nanoseconds chrono() const { return std::chrono::nanoseconds(ns_); }

  std::string to_string() const;

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace cairn
