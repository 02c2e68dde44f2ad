// FetchReport: what one fetch put into a sandbox, URI by URI — the
// content of Mesos' fetcher log, as values the agent can log, write into
// the sandbox or show in its endpoints.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cairn::fetcher {

struct FetchResult {
  std::string uri;   // as given, with any password redacted
  std::string path;  // the fetched file, relative to the sandbox
  uint64_t bytes = 0;
  bool from_cache = false;  // served by the fetcher cache, not the source
  bool extracted = false;
  bool executable = false;
  double seconds = 0;
};

struct FetchReport {
  std::vector<FetchResult> results;  // in the order of the URIs
  double seconds = 0;                // the whole fetch

  // One line per URI, then a total, e.g.
  //   Fetched 'http://repo/app.tgz' to 'app.tgz': 1.5MB in 0.21s (downloaded, extracted)
  std::string to_text() const;
  nlohmann::json to_json() const;
};

}  // namespace cairn::fetcher
