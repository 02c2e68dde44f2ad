// Downloads an http:// or https:// URL with libcurl into an open file.
//
// Redirects are followed (up to 10, http and https only); any final
// status other than 2xx fails with the status in the message; TLS peers
// and host names are always verified (against options.ca_file when set).
// A download that receives nothing for options.stall_timeout is aborted,
// however long it has been running, so a slow but steady download of a big
// file completes while a dead server cannot hold a task forever; one that
// grows past options.max_download is cut off.
#pragma once

#include <cstdint>
#include <string>

#include "daemons/agent/fetcher/fetcher_options.hpp"
#include "lib/base/result.hpp"

namespace cairn::fetcher {

// Writes the body to `fd` and returns its size. Blocking; safe to call
// from many threads at once (one curl handle per call).
Result<uint64_t> http_download(const std::string& url, int fd, const FetcherOptions& options);

// Initializes libcurl once per process; http_download() calls it too.
void init_curl();

}  // namespace cairn::fetcher
