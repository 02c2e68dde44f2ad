// FetchUri: one entry of a task's CommandInfo.uris, as Mesos defines it.
//
// value is what to fetch (http(s)://, file:// or an absolute path);
// executable makes the file 0755 and is never extracted; extract (default
// true) unpacks a recognized archive (archive.hpp) next to it; cache serves
// the file from, and keeps it in, the agent's fetcher cache; output_file
// names the file in the sandbox instead of the URI's last path segment.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "lib/base/result.hpp"

namespace cairn::fetcher {

struct FetchUri {
  std::string value;
  bool executable = false;
  bool extract = true;
  bool cache = false;
  std::optional<std::string> output_file;

  // Mesos' JSON for CommandInfo.URI: {"value": "...", "executable": true,
  // "extract": false, "cache": true, "output_file": "..."}. Errors name the
  // field, prefixed by `path` ("command.uris[0]") when given. output_file is
  // checked to stay inside the sandbox.
  static Result<FetchUri> from_json(const nlohmann::json& json, const std::string& path = "");
  nlohmann::json to_json() const;
};

}  // namespace cairn::fetcher
