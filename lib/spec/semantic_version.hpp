// SemanticVersion: a version number as Semantic Versioning 2.0.0 defines it.
//
// The spec's `cluster.version` names the Cairn release every host runs, and
// the installer compares versions to plan upgrades, so versions are parsed
// once into this value: MAJOR.MINOR.PATCH, an optional pre-release
// (`-rc.1`) and optional build metadata (`+build.5`). precedence() orders
// versions the way semver.org does (pre-releases before the release, build
// metadata ignored); operator== compares every part, build included.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::spec {

struct SemanticVersion {
  uint64_t major = 0;
  uint64_t minor = 0;
  uint64_t patch = 0;
  std::vector<std::string> pre_release;  // "rc.1" is {"rc", "1"}
  std::vector<std::string> build;        // "build.5" is {"build", "5"}

  // The error says what is wrong and gives valid examples.
  static Result<SemanticVersion> parse(std::string_view text);

  std::string to_string() const;
  std::weak_ordering precedence(const SemanticVersion& other) const;
  bool operator==(const SemanticVersion&) const = default;
};

}  // namespace cairn::spec
