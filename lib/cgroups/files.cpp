#include "lib/cgroups/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <system_error>

#include "lib/fs/atomic_file.hpp"

namespace cairn::cgroups::files {

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Result<std::string> read(const std::string& path) {
  return fs::read_file(path);
}

Status write(const std::string& path, const std::string& value) {
  // O_TRUNC matters only for fake trees in tests; cgroupfs ignores it.
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return Error("cannot write " + value + " to " + path + ": " + errno_text(errno));
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  int err = errno;
  ::close(fd);
  if (n < 0) return Error("cannot write " + value + " to " + path + ": " + errno_text(err));
  if (static_cast<size_t>(n) != value.size()) {
    return Error("cannot write " + value + " to " + path + ": short write of " + std::to_string(n) +
                 " bytes");
  }
  return ok_status();
}

std::string_view trim(std::string_view text) {
  const char* space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(space);
  return text.substr(begin, end - begin + 1);
}

namespace {

bool parse_number(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t value = 0;
  if (!parse_number(text, &value)) return std::nullopt;
  return value;
}

Result<uint64_t> read_u64(const std::string& path) {
  Result<std::string> text = read(path);
  if (!text.ok()) return Error(text.error());
  uint64_t value = 0;
  std::string_view trimmed = trim(*text);
  if (!parse_number(trimmed, &value)) {
    return Error("cannot parse '" + std::string(trimmed) + "' in " + path + " as a number");
  }
  return value;
}

std::map<std::string, uint64_t> parse_keyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos) continue;
    uint64_t value = 0;
    if (parse_number(trim(line.substr(space + 1)), &value)) {
      out[std::string(line.substr(0, space))] = value;
    }
  }
  return out;
}

Result<std::map<std::string, uint64_t>> read_keyed(const std::string& path) {
  Result<std::string> text = read(path);
  if (!text.ok()) return Error(text.error());
  return parse_keyed(*text);
}

Result<std::vector<int>> parse_pids(std::string_view text, const std::string& path) {
  std::vector<int> pids;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) continue;
    uint64_t pid = 0;
    if (!parse_number(line, &pid) || pid == 0 || pid > 0x7fffffff) {
      return Error("cannot parse '" + std::string(line) + "' in " + path + " as a pid");
    }
    pids.push_back(static_cast<int>(pid));
  }
  return pids;
}

Result<std::vector<std::string>> subdirectories(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return names;
    return Error("cannot list " + dir + ": " + errno_text(errno));
  }
  while (struct dirent* entry = ::readdir(d)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = ::stat(join(dir, name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cairn::cgroups::files
