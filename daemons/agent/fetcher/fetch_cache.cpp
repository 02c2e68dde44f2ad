#include "daemons/agent/fetcher/fetch_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <tuple>
#include <vector>

#include "lib/logging/log.hpp"

namespace cairn::fetcher {

namespace {

constexpr const char* kTempPrefix = ".tmp-";

std::string cache_key(const std::string& uri, const std::string& user) {
  std::string input = user + '\n' + uri;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

bool is_key(const std::string& name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

FetchCache::FetchCache(std::string directory, Bytes capacity)
    : directory_(std::move(directory)), capacity_(capacity.bytes()) {}

Result<FetchCache::Entry> FetchCache::acquire(const std::string& uri, const std::string& user) {
  std::string key = cache_key(uri, user);
  std::shared_ptr<KeyLock> lock;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (Status ready = initialize_locked(); !ready.ok()) return Error(ready.error());
    std::shared_ptr<KeyLock>& slot = locks_[key];
    if (!slot) slot = std::make_shared<KeyLock>();
    ++slot->holders;
    lock = slot;
  }
  lock->mutex.lock();  // outside mutex_: a long download must not block other keys
  return Entry(this, std::move(key), std::move(lock));
}

Bytes FetchCache::used() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return Bytes(used_);
}

size_t FetchCache::entries() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return items_.size();
}

Status FetchCache::initialize_locked() {
  if (initialized_) return ok_status();
  std::error_code ec;
  if (std::filesystem::create_directories(directory_, ec))
    ::chmod(directory_.c_str(), 0700);  // cached files may be private to their user
  if (ec) return Error("cannot create fetcher cache '" + directory_ + "': " + ec.message());

  DIR* dir = ::opendir(directory_.c_str());
  if (dir == nullptr)
    return Error("cannot read fetcher cache '" + directory_ + "': " + std::strerror(errno));
  std::vector<std::tuple<struct timespec, std::string, uint64_t>> found;
  while (struct dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    std::string path = path_of(name);
    if (name.rfind(kTempPrefix, 0) == 0) {
      ::unlink(path.c_str());  // a download cut short by a crash
      continue;
    }
    struct stat st {};
    if (!is_key(name) || ::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    found.emplace_back(st.st_mtim, name, static_cast<uint64_t>(st.st_size));
  }
  ::closedir(dir);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    const timespec& x = std::get<0>(a);
    const timespec& y = std::get<0>(b);
    return x.tv_sec != y.tv_sec ? x.tv_sec < y.tv_sec : x.tv_nsec < y.tv_nsec;
  });
  for (const auto& [mtime, name, size] : found) {
    items_[name] = Item{size, ++tick_};
    used_ += size;
  }
  initialized_ = true;
  evict_locked(0, "");  // the configured size may have shrunk
  log::info("Fetcher cache '{}': {} file(s), {} bytes", directory_, items_.size(), used_);
  return ok_status();
}

void FetchCache::evict_locked(uint64_t incoming, const std::string& keep) {
  while (used_ + incoming > capacity_) {
    auto victim = items_.end();
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      if (it->first != keep &&
          (victim == items_.end() || it->second.last_use < victim->second.last_use))
        victim = it;
    }
    if (victim == items_.end()) return;
    if (::unlink(path_of(victim->first).c_str()) != 0 && errno != ENOENT)
      log::warning("Cannot evict '{}' from the fetcher cache: {}", path_of(victim->first),
                   std::strerror(errno));
    used_ -= victim->second.size;
    items_.erase(victim);
  }
}

void FetchCache::release(const std::string& key) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = locks_.find(key);
  if (it != locks_.end() && --it->second->holders == 0) locks_.erase(it);
}

FetchCache::Entry::Entry(FetchCache* cache, std::string key, std::shared_ptr<KeyLock> lock)
    : cache_(cache), key_(std::move(key)), lock_(std::move(lock)) {}

FetchCache::Entry::Entry(Entry&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)),
      key_(std::move(other.key_)),
      lock_(std::move(other.lock_)) {}

FetchCache::Entry::~Entry() {
  if (cache_ == nullptr) return;
  lock_->mutex.unlock();
  cache_->release(key_);
}

UniqueFd FetchCache::Entry::open() {
  std::string path = cache_->path_of(key_);
  std::lock_guard<std::mutex> guard(cache_->mutex_);
  auto it = cache_->items_.find(key_);
  if (it == cache_->items_.end()) return UniqueFd();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {  // removed behind our back: forget it
    cache_->used_ -= it->second.size;
    cache_->items_.erase(it);
    return fd;
  }
  it->second.last_use = ++cache_->tick_;
  ::futimens(fd.get(), nullptr);  // mtime records the use for the next agent start
  return fd;
}

Result<TempFile> FetchCache::Entry::begin_store() {
  return TempFile::create(cache_->directory_, kTempPrefix);
}

Result<bool> FetchCache::Entry::commit(TempFile& download, uint64_t size) {
  if (size > cache_->capacity_) return false;
  if (::fsync(download.fd()) != 0) return errno_error("cannot sync", download.path());
  ::fchmod(download.fd(), 0600);
  std::lock_guard<std::mutex> guard(cache_->mutex_);
  if (auto old = cache_->items_.find(key_); old != cache_->items_.end()) {
    cache_->used_ -= old->second.size;  // replaced by the rename below
    cache_->items_.erase(old);
  }
  cache_->evict_locked(size, key_);
  if (Status renamed = download.rename_to(cache_->path_of(key_)); !renamed.ok())
    return Error(renamed.error());
  cache_->items_[key_] = Item{size, ++cache_->tick_};
  cache_->used_ += size;
  return true;
}

}  // namespace cairn::fetcher
