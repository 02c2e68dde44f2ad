#include "lib/docker/image_info.hpp"

#include "lib/docker/json_read.hpp"

namespace cairn::docker {

Result<ImageInfo> parse_image_info(std::string_view text) {
  auto parsed = detail::parse_json_object(text, "the engine's image description");
  if (!parsed.ok()) return Error(parsed.error());
  const detail::Json& json = *parsed;
  ImageInfo info;
  info.id = detail::string_field(json, "Id");
  info.repo_tags = detail::string_list_field(json, "RepoTags");
  info.created = detail::string_field(json, "Created");
  info.size = Bytes(detail::uint_field(json, "Size"));
  if (const detail::Json* config = detail::object_field(json, "Config")) {
    info.entrypoint = detail::string_list_field(*config, "Entrypoint");
    info.command = detail::string_list_field(*config, "Cmd");
    info.environment = detail::string_list_field(*config, "Env");
    info.working_dir = detail::string_field(*config, "WorkingDir");
    info.user = detail::string_field(*config, "User");
  }
  if (info.id.empty()) return Error("the engine's image description has no Id");
  return info;
}

}  // namespace cairn::docker
