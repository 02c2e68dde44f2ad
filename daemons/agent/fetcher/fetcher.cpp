#include "daemons/agent/fetcher/fetcher.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>

#include "daemons/agent/fetcher/archive.hpp"
#include "daemons/agent/fetcher/fetch_cache.hpp"
#include "daemons/agent/fetcher/file_owner.hpp"
#include "daemons/agent/fetcher/http_download.hpp"
#include "daemons/agent/fetcher/local_copy.hpp"
#include "daemons/agent/fetcher/sandbox_path.hpp"
#include "daemons/agent/fetcher/scoped_file.hpp"
#include "daemons/agent/fetcher/uri_location.hpp"
#include "lib/logging/log.hpp"

namespace cairn::fetcher {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Empties `fd` so that a failed attempt's bytes do not precede a retry's.
Status rewind(int fd) {
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
    return Error(std::string("cannot rewind the temporary file: ") + std::strerror(errno));
  return ok_status();
}

}  // namespace

Fetcher::Fetcher(FetcherOptions options) : options_(std::move(options)) {
  init_curl();  // before any worker thread downloads
  if (!options_.cache_dir.empty())
    cache_ = std::make_unique<FetchCache>(options_.cache_dir, options_.cache_size);
}

Fetcher::~Fetcher() = default;

Result<FetchReport> Fetcher::fetch(const std::vector<FetchUri>& uris,
                                   const std::string& sandbox_dir, const std::string& user) {
  Clock::time_point start = Clock::now();
  struct stat st {};
  if (::stat(sandbox_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error("sandbox '" + sandbox_dir + "' is not a directory");
  // Absolute, so that paths handed to the unpacking tools mean one thing.
  std::error_code ec;
  const std::string sandbox = std::filesystem::absolute(sandbox_dir, ec).string();
  if (ec) return Error("cannot resolve sandbox '" + sandbox_dir + "': " + ec.message());
  std::optional<FileOwner> owner;
  if (!user.empty()) {
    auto resolved = resolve_user(user);
    if (!resolved.ok()) return Error("cannot fetch as user '" + user + "': " + resolved.error());
    owner = std::move(*resolved);
  }

  FetchReport report;
  for (const FetchUri& uri : uris) {
    auto result = fetch_one(uri, sandbox, owner ? &*owner : nullptr, user);
    if (!result.ok()) {
      std::string message = "fetching '" + redact_uri(uri.value) + "' failed: " + result.error();
      log::warning("Fetch into '{}' stopped: {}", sandbox, message);
      return Error(message);
    }
    log::info("Fetched '{}' to '{}' in '{}': {} bytes{}{} in {:.3f}s", result->uri, result->path,
              sandbox, result->bytes, result->from_cache ? " from cache" : "",
              result->extracted ? ", extracted" : "", result->seconds);
    report.results.push_back(std::move(*result));
  }
  report.seconds = seconds_since(start);
  return report;
}

Result<FetchResult> Fetcher::fetch_one(const FetchUri& uri, const std::string& sandbox,
                                       const FileOwner* owner, const std::string& user) {
  Clock::time_point start = Clock::now();
  auto location = locate_uri(uri.value);
  if (!location.ok()) return Error(location.error());

  Result<std::string> name = uri.output_file ? *uri.output_file : uri_basename(uri.value);
  if (!name.ok()) return Error(name.error());
  auto relative = normalize_sandbox_path(*name);
  if (!relative.ok()) return Error(relative.error());

  if (owner != nullptr && location->kind == UriLocation::Kind::kLocal) {
    if (Status readable = check_readable_by(location->target, *owner); !readable.ok())
      return Error(readable.error());
  }
  auto parent = prepare_parent(sandbox, *relative, owner);
  if (!parent.ok()) return Error(parent.error());
  std::string leaf = leaf_name(*relative);
  std::string final_path = *parent + "/" + leaf;

  auto temp = TempFile::create(*parent, ".fetch-");
  if (!temp.ok()) return Error(temp.error());
  Transferred got;
  if (uri.cache && cache_) {
    auto cached = through_cache(uri, *location, user, temp->fd());
    if (!cached.ok()) return Error(cached.error());
    got = *cached;
  } else {
    auto bytes = transfer(*location, temp->fd());
    if (!bytes.ok()) return Error(bytes.error());
    got.bytes = *bytes;
  }

  if (owner != nullptr && ::fchown(temp->fd(), owner->uid, owner->gid) != 0)
    return errno_error("cannot chown to " + owner->user + ":", temp->path());
  if (::fchmod(temp->fd(), uri.executable ? 0755 : 0644) != 0)
    return errno_error("cannot set the mode of", temp->path());
  if (Status renamed = temp->rename_to(final_path); !renamed.ok()) return Error(renamed.error());

  FetchResult result;
  result.uri = redact_uri(uri.value);
  result.path = *relative;
  result.bytes = got.bytes;
  result.from_cache = got.from_cache;
  result.executable = uri.executable;
  // Mesos never unpacks a file it was asked to make executable.
  ArchiveKind kind = archive_kind(leaf);
  if (uri.extract && !uri.executable && kind != ArchiveKind::kNone) {
    if (Status extracted = extract_archive(final_path, kind, *parent, owner); !extracted.ok())
      return Error("'" + *relative + "': " + extracted.error());
    result.extracted = true;
  }
  result.seconds = seconds_since(start);
  return result;
}

Result<Fetcher::Transferred> Fetcher::through_cache(const FetchUri& uri,
                                                    const UriLocation& location,
                                                    const std::string& user, int fd) {
  // Mesos' rule: trouble with the cache itself must not fail a fetch that
  // could succeed without it.
  auto direct = [&](const std::string& why) -> Result<Transferred> {
    log::warning("Fetcher cache not used for '{}': {}", redact_uri(uri.value), why);
    if (Status clean = rewind(fd); !clean.ok()) return Error(clean.error());
    auto bytes = transfer(location, fd);
    if (!bytes.ok()) return Error(bytes.error());
    return Transferred{*bytes, false};
  };

  auto entry = cache_->acquire(uri.value, user);
  if (!entry.ok()) return direct(entry.error());
  if (UniqueFd cached = entry->open(); cached.valid()) {
    auto copied = copy_fd(cached.get(), fd);
    if (copied.ok()) return Transferred{*copied, true};
    return direct("reading the cached copy: " + copied.error());
  }
  auto store = entry->begin_store();
  if (!store.ok()) return direct(store.error());
  auto bytes = transfer(location, store->fd());
  if (!bytes.ok()) return Error(bytes.error());
  if (::lseek(store->fd(), 0, SEEK_SET) != 0) return direct(std::strerror(errno));
  auto copied = copy_fd(store->fd(), fd);
  if (!copied.ok()) return direct("copying out of the cache: " + copied.error());
  auto committed = entry->commit(*store, *bytes);
  if (!committed.ok())
    log::warning("Cannot keep '{}' in the fetcher cache: {}", redact_uri(uri.value),
                 committed.error());
  else if (!*committed)
    log::info("'{}' ({} bytes) is larger than the fetcher cache; not kept", redact_uri(uri.value),
              *bytes);
  return Transferred{*bytes, false};
}

Result<uint64_t> Fetcher::transfer(const UriLocation& location, int fd) {
  if (location.kind == UriLocation::Kind::kHttp)
    return http_download(location.target, fd, options_);
  return copy_local_file(location.target, fd, options_.max_download.bytes());
}

}  // namespace cairn::fetcher
