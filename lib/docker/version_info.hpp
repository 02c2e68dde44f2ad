// VersionInfo: what GET /version says about the Docker engine.
//
// The agent asks at startup, before it offers the docker containerizer.
// Cairn speaks Engine API 1.41 (Docker 20.10); check_engine() refuses older
// engines with a message that names the engine's version and what is needed.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::docker {

struct VersionInfo {
  std::string version;          // "20.10.24+dfsg1"
  std::string api_version;      // "1.41"
  std::string min_api_version;  // "1.12"
  std::string os;               // "linux"
  std::string arch;             // "amd64"
  std::string kernel_version;
  std::string git_commit;

  // Whether api_version is at least `minimum` ("1.41"), compared numerically.
  bool supports_api(std::string_view minimum) const;
};

Result<VersionInfo> parse_version_info(std::string_view json);

// Ok when the engine speaks the API version this client uses.
Status check_engine(const VersionInfo& info);

}  // namespace cairn::docker
