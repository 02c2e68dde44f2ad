// Listing containers: the filter of GET /containers/json and its entries.
//
// At recovery the agent lists every container (running or not) that carries
// its labels, or whose name starts with "mesos-", and matches them against
// its checkpoints: survivors are reattached, unknown ones are removed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace cairn::docker {

struct ContainerFilter {
  // Each "key" (the label is present) or "key=value"; all must match.
  std::vector<std::string> labels;
  // Containers whose name contains this text (the engine matches a regular
  // expression: "^mesos-" for the agent's containers); empty: any.
  std::string name;
  bool include_stopped = true;  // all=1
};

struct ContainerSummary {
  std::string id;
  std::vector<std::string> names;  // without the engine's leading '/'
  std::string image;
  std::string image_id;
  std::string state;    // created, running, exited, ...
  std::string status;   // the engine's text: "Up 5 minutes", "Exited (3) 2 seconds ago"
  int64_t created = 0;  // Unix seconds
  std::map<std::string, std::string> labels;
};

// The "filters" query value: {"label":["k=v",...],"name":["..."]}; empty
// when the filter selects everything.
std::string list_filters_json(const ContainerFilter& filter);

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view json);

}  // namespace cairn::docker
