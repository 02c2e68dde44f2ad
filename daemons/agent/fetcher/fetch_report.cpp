#include "daemons/agent/fetcher/fetch_report.hpp"

#include <fmt/core.h>

namespace cairn::fetcher {

namespace {

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{}B", bytes);
  const char* units[] = {"KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f}{}", value, units[unit]);
}

}  // namespace

std::string FetchReport::to_text() const {
  std::string out;
  uint64_t total = 0;
  for (const FetchResult& r : results) {
    std::string how = r.from_cache ? "from cache" : "downloaded";
    if (r.extracted) how += ", extracted";
    if (r.executable) how += ", executable";
    out += fmt::format("Fetched '{}' to '{}': {} in {:.2f}s ({})\n", r.uri, r.path,
                       human_bytes(r.bytes), r.seconds, how);
    total += r.bytes;
  }
  out += fmt::format("Fetched {} URI(s), {} in {:.2f}s\n", results.size(), human_bytes(total),
                     seconds);
  return out;
}

nlohmann::json FetchReport::to_json() const {
  nlohmann::json uris = nlohmann::json::array();
  for (const FetchResult& r : results) {
    uris.push_back({{"uri", r.uri},
                    {"path", r.path},
                    {"bytes", r.bytes},
                    {"from_cache", r.from_cache},
                    {"extracted", r.extracted},
                    {"executable", r.executable},
                    {"seconds", r.seconds}});
  }
  return {{"uris", uris}, {"seconds", seconds}};
}

}  // namespace cairn::fetcher
