#include "daemons/agent/fetcher/archive.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "daemons/agent/fetcher/run_tool.hpp"
#include "lib/logging/log.hpp"

namespace cairn::fetcher {

namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Removes the staging directory however extraction ends.
class StagingDir {
 public:
  static Result<StagingDir> create(const std::string& parent) {
    std::string name = parent + "/.fetch-extract-XXXXXX";
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr)
      return Error("cannot create a staging directory in '" + parent +
                   "': " + std::strerror(errno));
    return StagingDir(buffer.data());
  }
  StagingDir(StagingDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  StagingDir& operator=(StagingDir&&) = delete;
  ~StagingDir() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  explicit StagingDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

std::vector<std::string> unpack_command(ArchiveKind kind, const std::string& archive,
                                        const std::string& staging) {
  // --no-same-owner: as root, tar would otherwise restore the owners
  // recorded in the archive.
  auto tar = [&](const char* filter) {
    std::vector<std::string> argv = {"tar", "-x", "--no-same-owner", "-f", archive, "-C", staging};
    if (filter != nullptr) argv.insert(argv.begin() + 1, filter);
    return argv;
  };
  switch (kind) {
    case ArchiveKind::kTar:
      return tar(nullptr);
    case ArchiveKind::kTarGzip:
      return tar("-z");
    case ArchiveKind::kTarBzip2:
      return tar("-j");
    case ArchiveKind::kTarXz:
      return tar("-J");
    case ArchiveKind::kZip:
      // -o: overwrite without asking (staging is empty anyway); unzip
      // itself strips absolute paths and "../" from member names.
      return {"unzip", "-q", "-o", archive, "-d", staging};
    case ArchiveKind::kGzip:
      return {"gzip", "-d", "-c", archive};
    case ArchiveKind::kNone:
      break;
  }
  return {};
}

// Checks and normalizes everything the tool produced, without following
// symlinks: only files, directories and symlinks; no set-ID bits; owner.
Status sanitize_tree(const std::string& staging, const FileOwner* owner) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::recursive_directory_iterator it(staging, fs::directory_options::none, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string path = it->path().string();
    std::string member = path.substr(staging.size() + 1);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
      return Error("cannot stat extracted '" + member + "': " + std::strerror(errno));
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
      return Error("archive member '" + member +
                   "' is a device, FIFO or socket; refusing to extract it");
    if (owner != nullptr && ::lchown(path.c_str(), owner->uid, owner->gid) != 0)
      return Error("cannot chown extracted '" + member + "' to " + owner->user + ": " +
                   std::strerror(errno));
    if (S_ISREG(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID)) != 0 &&
        ::chmod(path.c_str(), st.st_mode & 07777 & ~(S_ISUID | S_ISGID)) != 0)
      return Error("cannot clear set-ID bits of '" + member + "': " + std::strerror(errno));
  }
  if (ec) return Error("cannot walk the extracted files: " + ec.message());
  return ok_status();
}

// Moves every entry of `from` into `to`: new names are renamed over, a
// directory that exists on both sides (as a real directory, not a symlink)
// is merged recursively, and anything else replaces what was there.
Status merge_into(const std::string& from, const std::string& to, const std::string& shown) {
  DIR* dir = ::opendir(from.c_str());
  if (dir == nullptr) return Error("cannot read '" + from + "': " + std::strerror(errno));
  std::vector<std::string> names;
  while (struct dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  for (const std::string& name : names) {
    std::string source = from + "/" + name;
    std::string target = to + "/" + name;
    std::string member = shown.empty() ? name : shown + "/" + name;
    struct stat s {
    }, t{};
    if (::lstat(source.c_str(), &s) != 0)
      return Error("cannot stat extracted '" + member + "': " + std::strerror(errno));
    bool target_exists = ::lstat(target.c_str(), &t) == 0;
    if (target_exists && S_ISDIR(s.st_mode) && S_ISDIR(t.st_mode)) {
      if (Status merged = merge_into(source, target, member); !merged.ok()) return merged;
      continue;
    }
    if (::rename(source.c_str(), target.c_str()) != 0)
      return Error("cannot move extracted '" + member +
                   "' into the sandbox: " + std::strerror(errno));
  }
  return ok_status();
}

}  // namespace

ArchiveKind archive_kind(std::string_view name) {
  if (ends_with(name, ".tar")) return ArchiveKind::kTar;
  if (ends_with(name, ".tar.gz") || ends_with(name, ".tgz")) return ArchiveKind::kTarGzip;
  if (ends_with(name, ".tar.bz2")) return ArchiveKind::kTarBzip2;
  if (ends_with(name, ".tar.xz") || ends_with(name, ".txz")) return ArchiveKind::kTarXz;
  if (ends_with(name, ".zip")) return ArchiveKind::kZip;
  if (ends_with(name, ".gz")) return ArchiveKind::kGzip;
  return ArchiveKind::kNone;
}

Status extract_archive(const std::string& archive_path, ArchiveKind kind,
                       const std::string& directory, const FileOwner* owner) {
  if (kind == ArchiveKind::kNone) return ok_status();
  auto staging = StagingDir::create(directory);
  if (!staging.ok()) return Error(staging.error());

  std::string stdout_path;
  if (kind == ArchiveKind::kGzip) {
    std::string name = std::filesystem::path(archive_path).filename().string();
    stdout_path = staging->path() + "/" + name.substr(0, name.size() - 3);
  }
  std::vector<std::string> argv = unpack_command(kind, archive_path, staging->path());
  auto outcome = run_tool(argv, stdout_path);
  if (!outcome.ok()) return Error("extracting failed: " + outcome.error());
  bool zip_warning = kind == ArchiveKind::kZip && outcome->exit_code == 1;
  if (outcome->exit_code != 0 && !zip_warning)
    return Error("extracting failed: " + describe_failure(argv, *outcome));
  if (zip_warning) log::warning("unzip warned about '{}': {}", archive_path, outcome->output);

  if (Status clean = sanitize_tree(staging->path(), owner); !clean.ok()) return clean;
  return merge_into(staging->path(), directory, "");
}

}  // namespace cairn::fetcher
