#include "daemons/agent/fetcher/fetch_uri.hpp"

#include "daemons/agent/fetcher/sandbox_path.hpp"
#include "lib/mesos/json_fields.hpp"

namespace cairn::fetcher {

Result<FetchUri> FetchUri::from_json(const nlohmann::json& json, const std::string& path) {
  return mesos::parse_fields([&] {
    mesos::Fields fields(json, path);
    FetchUri uri;
    uri.value = fields.required_string("value");
    if (uri.value.empty()) fields.fail("value", "must not be empty");
    uri.executable = fields.boolean("executable", false);
    uri.extract = fields.boolean("extract", true);
    uri.cache = fields.boolean("cache", false);
    uri.output_file = fields.optional_string("output_file");
    if (uri.output_file) {
      auto normalized = normalize_sandbox_path(*uri.output_file);
      if (!normalized.ok()) fields.fail("output_file", normalized.error());
    }
    return uri;
  });
}

nlohmann::json FetchUri::to_json() const {
  nlohmann::json out = {
      {"value", value}, {"executable", executable}, {"extract", extract}, {"cache", cache}};
  if (output_file) out["output_file"] = *output_file;
  return out;
}

}  // namespace cairn::fetcher
