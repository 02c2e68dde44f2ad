// File handles that clean up after themselves: UniqueFd closes its
// descriptor, TempFile also removes its file unless it was kept.
//
// The fetcher never lets a half-written file appear under its final name:
// it writes into a TempFile next to the destination and renames it into
// place only when everything succeeded; every early return simply drops
// the TempFile, which removes the partial data.
#pragma once

#include <string>
#include <utility>

#include "lib/base/result.hpp"

namespace cairn::fetcher {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset();

 private:
  int fd_ = -1;
};

class TempFile {
 public:
  // Creates a new empty file "<directory>/<prefix>XXXXXX" (mode 0600).
  static Result<TempFile> create(const std::string& directory, const std::string& prefix);

  TempFile(TempFile&&) noexcept = default;
  TempFile& operator=(TempFile&&) noexcept = default;
  ~TempFile();

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // Closes the descriptor and renames the file to `target` (atomically
  // replacing what is there); from then on it is no longer removed.
  Status rename_to(const std::string& target);

 private:
  TempFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  UniqueFd fd_;
};

// "what 'path': strerror(errno)", the shape of every system-call error here.
Error errno_error(const std::string& what, const std::string& path);

}  // namespace cairn::fetcher
