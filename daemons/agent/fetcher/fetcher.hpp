// Fetcher: puts a task's CommandInfo.URIs into its sandbox before the task
// starts — the agent's counterpart of Mesos' fetcher.
//
// For each URI, in order: download it (http://, https://) or copy it (an
// absolute path or file://, which the task's user must be able to read),
// through the cache when the URI asks for it, into a temporary file beside
// its destination; make it 0755 (executable) or 0644 and give it to the
// user; rename it to output_file or the URI's last path segment; then, for
// a recognized archive not marked executable, unpack it next to itself.
// The first failure stops the fetch with an error naming the URI and what
// went wrong; no partial file is left under a final name.
//
// fetch() blocks (the agent calls it on its WorkerPool) and may run on
// several threads at once for different sandboxes; the cache coordinates
// fetches of the same URI (fetch_cache.hpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemons/agent/fetcher/fetch_report.hpp"
#include "daemons/agent/fetcher/fetch_uri.hpp"
#include "daemons/agent/fetcher/fetcher_options.hpp"
#include "lib/base/result.hpp"

namespace cairn::fetcher {

class FetchCache;
struct FileOwner;
struct UriLocation;

class Fetcher {
 public:
  explicit Fetcher(FetcherOptions options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Fetches `uris` into the existing directory `sandbox_dir`. `user`: the
  // task's user, who gets everything written (and whose cache entries are
  // separate); empty leaves files to the agent's user.
  Result<FetchReport> fetch(const std::vector<FetchUri>& uris, const std::string& sandbox_dir,
                            const std::string& user);

  const FetcherOptions& options() const { return options_; }
  // Null when options.cache_dir is empty.
  const FetchCache* cache() const { return cache_.get(); }

 private:
  struct Transferred {
    uint64_t bytes = 0;
    bool from_cache = false;
  };

  Result<FetchResult> fetch_one(const FetchUri& uri, const std::string& sandbox,
                                const FileOwner* owner, const std::string& user);
  Result<Transferred> through_cache(const FetchUri& uri, const UriLocation& location,
                                    const std::string& user, int fd);
  Result<uint64_t> transfer(const UriLocation& location, int fd);

  FetcherOptions options_;
  std::unique_ptr<FetchCache> cache_;
};

}  // namespace cairn::fetcher
