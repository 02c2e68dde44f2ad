#include "lib/zk/zk_url.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "lib/fs/atomic_file.hpp"

namespace cairn::zk {
namespace {

TEST(ZkUrl, ParsesServersAndPath) {
  Result<ZkUrl> url = ZkUrl::parse("zk://10.0.0.1:2181,10.0.0.2:2181,zk3/mesos");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->servers, "10.0.0.1:2181,10.0.0.2:2181,zk3");
  EXPECT_EQ(url->path, "/mesos");
  EXPECT_FALSE(url->credentials);
  EXPECT_EQ(url->redacted(), "zk://10.0.0.1:2181,10.0.0.2:2181,zk3/mesos");
}

TEST(ZkUrl, DigestCredentialsAreKeptOutOfLogs) {
  Result<ZkUrl> url = ZkUrl::parse("zk://ops:s3cret@h1:2181/cairn/prod/");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->credentials, "ops:s3cret");
  EXPECT_EQ(url->path, "/cairn/prod");
  EXPECT_EQ(url->redacted().find("s3cret"), std::string::npos);
}

TEST(ZkUrl, ReadsTheUrlFromAFile) {
  std::string path = ::testing::TempDir() + "/zk_url_test_file";
  ASSERT_TRUE(fs::write_file_atomically(path, "zk://u:p@127.0.0.1:2181/mesos\n").ok());
  Result<ZkUrl> url = ZkUrl::parse("file://" + path);
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->servers, "127.0.0.1:2181");
  EXPECT_TRUE(is_zk_url("file://" + path));
  EXPECT_FALSE(is_zk_url("127.0.0.1:5050"));
  std::filesystem::remove(path);
  Result<ZkUrl> missing = ZkUrl::parse("file://" + path, "--master");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("--master"), std::string::npos) << missing.error();
}

TEST(ZkUrl, RefusesWhatIsNotAZooKeeperUrl) {
  for (const char* bad : {"http://h:2181/mesos", "zk:///mesos", "zk://h:2181", "zk://h:2181/",
                          "zk://h:99999/mesos", "zk://h:abc/mesos", "zk://h1,,h2/mesos",
                          "zk://user@h1/mesos", "zk://h1/a//b"}) {
    Result<ZkUrl> url = ZkUrl::parse(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.error().rfind("--zk: ", 0), 0u) << url.error();
  }
}

}  // namespace
}  // namespace cairn::zk
