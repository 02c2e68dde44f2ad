// Ready-made checks for FlagOptions::validate().
//
//   set.add(&Flags::offer_timeout, "offer_timeout", "...").validate(flags::positive);
//   set.add(&Flags::cluster, "cluster", "...").validate(flags::non_empty);
//
// Each is a function object whose call operator is a template, so one object
// serves every flag type it makes sense for.
#pragma once

#include <string>

#include "lib/base/result.hpp"

namespace cairn::flags {

struct Positive {
  template <typename V>
  Status operator()(const V& value) const {
    if (value > V{}) return ok_status();
    return Error("must be greater than zero");
  }
};
inline constexpr Positive positive{};

struct NonEmpty {
  Status operator()(const std::string& value) const {
    if (!value.empty()) return ok_status();
    return Error("must not be empty");
  }
};
inline constexpr NonEmpty non_empty{};

}  // namespace cairn::flags
