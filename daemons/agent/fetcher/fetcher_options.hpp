// FetcherOptions: the agent's settings for fetching URIs into sandboxes
// (Mesos' --fetcher_cache_dir and --fetcher_cache_size, plus Cairn's limits
// on downloads that hang or grow without bound).
#pragma once

#include <optional>
#include <string>

#include "lib/units/bytes.hpp"
#include "lib/units/duration.hpp"

namespace cairn::fetcher {

struct FetcherOptions {
  // Where URIs marked cache: true are kept; empty disables the cache (such
  // URIs are then fetched directly).
  std::string cache_dir;
  // The cache evicts its least recently used files to stay within this; a
  // file larger than the whole cache is fetched without being kept.
  Bytes cache_size = Bytes(2 * Bytes::GB);
  // A download that receives nothing for this long is aborted (zero: never).
  Duration stall_timeout = Duration::seconds(60);
  // Largest file fetched, downloaded or copied (zero: no limit).
  Bytes max_download = Bytes(0);
  // PEM bundle of CAs trusted for https:// (default: the system's).
  std::optional<std::string> ca_file;
};

}  // namespace cairn::fetcher
