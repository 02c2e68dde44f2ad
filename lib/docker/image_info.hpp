// ImageInfo: what GET /images/{name}/json says about a local image.
//
// The agent checks that a task's image is present before creating its
// container (and pulls it otherwise), and reads the image's own entrypoint,
// command, environment and user when it must reason about what a task
// without a command will run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/units/bytes.hpp"

namespace cairn::docker {

struct ImageInfo {
  std::string id;  // "sha256:..."
  std::vector<std::string> repo_tags;
  std::string created;  // RFC 3339, as the engine wrote it
  Bytes size;
  std::vector<std::string> entrypoint;
  std::vector<std::string> command;
  std::vector<std::string> environment;  // "K=V"
  std::string working_dir;
  std::string user;
};

Result<ImageInfo> parse_image_info(std::string_view json);

}  // namespace cairn::docker
