// Request targets of the Docker Engine API (internal to lib/docker).
//
// Paths carry the API version; container ids and names are escaped as one
// path segment; image references keep their '/', ':' and '@' because the
// engine's routes take them literally (/images/library/debian:12/json).
// Query values are percent-encoded (RFC 3986 unreserved characters pass as
// they are).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn::docker::detail {

// The API version every call but version() asks for: Docker 20.10.
inline constexpr std::string_view kApiVersion = "1.41";

std::string percent_encode(std::string_view text, std::string_view keep = "");

// "/v1.41" + path + "?k=v&..." (no '?' when there are no parameters).
std::string api_target(std::string_view path,
                       const std::vector<std::pair<std::string, std::string>>& query = {});

// "/containers/" + escaped id + suffix.
std::string container_path(std::string_view id, std::string_view suffix = "");
// "/images/" + reference (only characters outside a reference escaped) + suffix.
std::string image_path(std::string_view reference, std::string_view suffix = "");

}  // namespace cairn::docker::detail
