// FetchCache: the agent's cache of fetched files (URIs with cache: true),
// one file per (user, URI) in a directory, bounded in size by evicting the
// least recently used files.
//
// Safe for concurrent fetches: acquire() locks one entry, so when several
// tasks need the same URI at once, one downloads while the others wait and
// then copy the cached file. Files enter the cache by an atomic rename from
// a temporary name, so a crash or a failed download never leaves a
// partial file under an entry's name; leftovers are removed when the cache
// is first used. Eviction just unlinks: a fetch still copying an evicted
// file keeps reading it through its open descriptor. The index lives in
// memory and is rebuilt from the directory (modification times keep the
// LRU order across agent restarts). One process per cache directory.
//
// As in Mesos, the key includes the user, so that tasks of different users
// never share a cached copy.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "daemons/agent/fetcher/scoped_file.hpp"
#include "lib/base/result.hpp"
#include "lib/units/bytes.hpp"

namespace cairn::fetcher {

class FetchCache {
 public:
  // Creates nothing yet: the directory is made and scanned on first use.
  FetchCache(std::string directory, Bytes capacity);
  FetchCache(const FetchCache&) = delete;
  FetchCache& operator=(const FetchCache&) = delete;

  class Entry;

  // Waits until no other fetch holds the entry for (user, uri), then holds
  // it until the Entry is dropped. An error when the directory is unusable.
  Result<Entry> acquire(const std::string& uri, const std::string& user);

  Bytes used() const;
  size_t entries() const;
  const std::string& directory() const { return directory_; }

 private:
  struct KeyLock {
    std::mutex mutex;
    int holders = 0;
  };
  struct Item {
    uint64_t size = 0;
    uint64_t last_use = 0;
  };

  Status initialize_locked();
  // Unlinks least recently used files (never `keep`) until `incoming` more
  // bytes fit.
  void evict_locked(uint64_t incoming, const std::string& keep);
  void release(const std::string& key);
  std::string path_of(const std::string& key) const { return directory_ + "/" + key; }

  const std::string directory_;
  const uint64_t capacity_;
  mutable std::mutex mutex_;  // guards everything below
  bool initialized_ = false;
  std::map<std::string, std::shared_ptr<KeyLock>> locks_;
  std::map<std::string, Item> items_;
  uint64_t used_ = 0;
  uint64_t tick_ = 0;
};

// A held cache entry. Move-only; dropping it lets the next fetch in.
class FetchCache::Entry {
 public:
  Entry(Entry&& other) noexcept;
  Entry& operator=(Entry&&) = delete;
  ~Entry();

  const std::string& key() const { return key_; }
  // The cached file opened for reading (and marked as just used), or an
  // invalid descriptor on a miss.
  UniqueFd open();
  // A temporary file in the cache directory to download into.
  Result<TempFile> begin_store();
  // Syncs the finished download and renames it into the cache, evicting
  // older files to make room. False (and the file left to its TempFile)
  // when it is larger than the whole cache.
  Result<bool> commit(TempFile& download, uint64_t size);

 private:
  friend class FetchCache;
  Entry(FetchCache* cache, std::string key, std::shared_ptr<KeyLock> lock);

  FetchCache* cache_;
  std::string key_;
  std::shared_ptr<KeyLock> lock_;
};

}  // namespace cairn::fetcher
