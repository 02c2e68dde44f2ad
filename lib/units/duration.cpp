#include "lib/units/duration.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

#include "lib/units/number.hpp"

namespace cairn {
namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};

// Largest first: to_string() picks the first unit the value reaches.
constexpr std::array<Unit, 8> kUnits{{
    {"weeks", 7LL * 24 * 3600 * 1'000'000'000},
    {"days", 24LL * 3600 * 1'000'000'000},
    {"hrs", 3600LL * 1'000'000'000},
    {"mins", 60LL * 1'000'000'000},
    {"secs", 1'000'000'000},
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
}};

}  // namespace

Duration Duration::from_seconds(double secs) {
  return Duration(static_cast<int64_t>(secs * 1e9));
}

Result<Duration> Duration::parse(std::string_view text) {
  auto split = split_number(text);
  if (!split.ok()) {
    return Error("invalid duration '" + std::string(text) + "': " + split.error() +
                 " (expected a number and a unit: ns, us, ms, secs, mins, hrs, days, weeks; "
                 "e.g. 10secs)");
  }
  auto [value, unit] = *split;
  for (const Unit& u : kUnits) {
    if (u.name != unit) continue;
    const double ns = value * static_cast<double>(u.ns);
    if (!(ns < static_cast<double>(std::numeric_limits<int64_t>::max()))) {
      return Error("duration '" + std::string(text) + "' is too large");
    }
    return Duration(static_cast<int64_t>(std::llround(ns)));
  }
  return Error("invalid duration '" + std::string(text) + "': unknown unit '" + std::string(unit) +
               "' (expected one of ns, us, ms, secs, mins, hrs, days, weeks; e.g. 10secs)");
}

std::string Duration::to_string() const {
  const int64_t magnitude = ns_ < 0 ? -ns_ : ns_;
  for (const Unit& u : kUnits) {
    if (magnitude >= u.ns || u.ns == 1) {
      return format_number(static_cast<double>(ns_) / static_cast<double>(u.ns)) +
             std::string(u.name);
    }
  }
  return "0ns";
}

}  // namespace cairn
