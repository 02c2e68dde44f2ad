#include "lib/docker/version_info.hpp"

#include <charconv>
#include <utility>

#include "lib/docker/api_path.hpp"
#include "lib/docker/json_read.hpp"

namespace cairn::docker {
namespace {

// "1.41" -> {1, 41}; {-1, -1} when unreadable.
std::pair<int, int> split_version(std::string_view text) {
  int major = -1, minor = -1;
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return {-1, -1};
  auto [p1, e1] = std::from_chars(text.data(), text.data() + dot, major);
  auto [p2, e2] = std::from_chars(text.data() + dot + 1, text.data() + text.size(), minor);
  if (e1 != std::errc() || e2 != std::errc() || p1 != text.data() + dot ||
      p2 != text.data() + text.size()) {
    return {-1, -1};
  }
  return {major, minor};
}

}  // namespace

bool VersionInfo::supports_api(std::string_view minimum) const {
  auto have = split_version(api_version);
  auto need = split_version(minimum);
  if (have.first < 0 || need.first < 0) return false;
  return have >= need;
}

Result<VersionInfo> parse_version_info(std::string_view text) {
  auto parsed = detail::parse_json_object(text, "the engine's version");
  if (!parsed.ok()) return Error(parsed.error());
  const detail::Json& json = *parsed;
  VersionInfo info;
  info.version = detail::string_field(json, "Version");
  info.api_version = detail::string_field(json, "ApiVersion");
  info.min_api_version = detail::string_field(json, "MinAPIVersion");
  info.os = detail::string_field(json, "Os");
  info.arch = detail::string_field(json, "Arch");
  info.kernel_version = detail::string_field(json, "KernelVersion");
  info.git_commit = detail::string_field(json, "GitCommit");
  if (info.api_version.empty()) return Error("the engine's version has no ApiVersion");
  return info;
}

Status check_engine(const VersionInfo& info) {
  if (info.supports_api(detail::kApiVersion)) return ok_status();
  return Error("the Docker engine " + info.version + " speaks Engine API " + info.api_version +
               "; Cairn needs API " + std::string(detail::kApiVersion) +
               " (Docker 20.10) or newer");
}

}  // namespace cairn::docker
