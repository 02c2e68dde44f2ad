#include <gtest/gtest.h>

#include <filesystem>

#include "lib/fs/atomic_file.hpp"

namespace cairn::fs {
namespace {

TEST(AtomicFile, WritesReadsAndReplaces) {
  auto dir = std::filesystem::temp_directory_path() / ("cairn-fs-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(create_directories((dir / "a/b").string()).ok());
  std::string path = (dir / "a/b/state.json").string();
  ASSERT_TRUE(write_file_atomically(path, "one").ok());
  ASSERT_TRUE(write_file_atomically(path, "two").ok());
  Result<std::string> content = read_file(path);
  ASSERT_TRUE(content.ok()) << content.error();
  EXPECT_EQ(*content, "two");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  Result<std::string> missing = read_file((dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("No such file"), std::string::npos);
  Status bad = write_file_atomically((dir / "no/such/dir/x").string(), "x");
  EXPECT_FALSE(bad.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cairn::fs
