#include "lib/units/bytes.hpp"

#include <array>
#include <cmath>

#include "lib/units/number.hpp"

namespace cairn {
namespace {

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr std::array<Unit, 5> kUnits{{
    {"TB", Bytes::TB},
    {"GB", Bytes::GB},
    {"MB", Bytes::MB},
    {"KB", Bytes::KB},
    {"B", 1},
}};

}  // namespace

Result<Bytes> Bytes::parse(std::string_view text) {
  auto split = split_number(text);
  if (!split.ok()) {
    return Error("invalid size '" + std::string(text) + "': " + split.error() +
                 " (expected a number and a unit: B, KB, MB, GB, TB; e.g. 512MB)");
  }
  auto [value, unit] = *split;
  for (const Unit& u : kUnits) {
    if (u.name != unit) continue;
    const double bytes = value * static_cast<double>(u.factor);
    if (!(bytes < 1.8e19)) return Error("size '" + std::string(text) + "' is too large");
    return Bytes(static_cast<uint64_t>(std::llround(bytes)));
  }
  return Error("invalid size '" + std::string(text) + "': unknown unit '" + std::string(unit) +
               "' (expected one of B, KB, MB, GB, TB; e.g. 512MB)");
}

std::string Bytes::to_string() const {
  for (const Unit& u : kUnits) {
    if (bytes_ >= u.factor && bytes_ % u.factor == 0) {
      return std::to_string(bytes_ / u.factor) + std::string(u.name);
    }
  }
  return std::to_string(bytes_) + "B";
}

}  // namespace cairn
