#include "lib/docker/container_list.hpp"

#include "lib/docker/json_read.hpp"

namespace cairn::docker {

using detail::Json;

std::string list_filters_json(const ContainerFilter& filter) {
  Json filters = Json::object();
  if (!filter.labels.empty()) filters["label"] = filter.labels;
  if (!filter.name.empty()) filters["name"] = Json::array({filter.name});
  return filters.empty() ? std::string() : filters.dump();
}

Result<std::vector<ContainerSummary>> parse_container_list(std::string_view text) {
  auto json = Json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_array()) {
    return Error("the engine's container list is not a JSON array: " +
                 std::string(text.substr(0, 200)));
  }
  std::vector<ContainerSummary> list;
  for (const auto& item : json) {
    if (!item.is_object()) continue;
    ContainerSummary summary;
    summary.id = detail::string_field(item, "Id");
    for (auto name : detail::string_list_field(item, "Names")) {
      if (!name.empty() && name[0] == '/') name.erase(0, 1);
      summary.names.push_back(std::move(name));
    }
    summary.image = detail::string_field(item, "Image");
    summary.image_id = detail::string_field(item, "ImageID");
    summary.state = detail::string_field(item, "State");
    summary.status = detail::string_field(item, "Status");
    summary.created = detail::int_field(item, "Created");
    summary.labels = detail::string_map_field(item, "Labels");
    list.push_back(std::move(summary));
  }
  return list;
}

}  // namespace cairn::docker
