// A scratch directory per e2e test (ZooKeeper data, daemon work dirs and
// logs), removed when the test is done unless it is kept for a post-mortem:
// tests keep() it when they failed and print its path.
#pragma once

#include <string>
#include <utility>

#include "lib/base/result.hpp"

namespace cairn::e2e {

class TempDir {
 public:
  // A new, empty directory /tmp/<prefix>-XXXXXX ($TMPDIR instead of /tmp
  // when set).
  static Result<TempDir> create(const std::string& prefix = "cairn-e2e");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Removes the tree unless keep() was called or CAIRN_E2E_KEEP_DIRS is set.
  ~TempDir();

  const std::string& path() const { return path_; }
  // `path()/relative`.
  std::string file(const std::string& relative) const { return path_ + "/" + relative; }
  // Leave the directory in place (for diagnosing a failure).
  void keep() { keep_ = true; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

}  // namespace cairn::e2e
