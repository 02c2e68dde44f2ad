// Master detection without ZooKeeper: normalising fixed masters, reading
// MasterInfo JSON, the fixed-master detector, and the one-shot detection's
// error when ZooKeeper cannot be reached. master_detector_zk_test.cpp runs
// the ZooKeeper cases against a real server.
#include "lib/detector/master_detector.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "lib/fs/atomic_file.hpp"

namespace cairn::detector {
namespace {

std::string normalized(const std::string& text) {
  Result<std::string> url = normalize_master_url(text);
  return url.ok() ? *url : "error: " + url.error();
}

TEST(NormalizeMasterUrl, AddsSchemeAndDefaultPort) {
  EXPECT_EQ(normalized("10.0.0.1:5050"), "http://10.0.0.1:5050");
  EXPECT_EQ(normalized("master.example"), "http://master.example:5050");
  EXPECT_EQ(normalized("  m1:6060\n"), "http://m1:6060");
  EXPECT_EQ(normalized("http://m1"), "http://m1:5050");
  EXPECT_EQ(normalized("https://m1:8443/"), "https://m1:8443");
  EXPECT_EQ(normalized("HTTP://m1:1"), "http://m1:1");
  EXPECT_EQ(normalized("http://router:80/mesos/"), "http://router:80/mesos");
  EXPECT_EQ(normalized("[::1]:5050"), "http://[::1]:5050");
  EXPECT_EQ(normalized("[fe80::1]"), "http://[fe80::1]:5050");
}

TEST(NormalizeMasterUrl, ErrorsNameTheFlagAndWhatIsValid) {
  Result<std::string> empty = normalize_master_url("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().find("--master"), std::string::npos) << empty.error();
  EXPECT_NE(empty.error().find("host:port"), std::string::npos) << empty.error();
  EXPECT_NE(empty.error().find("zk://"), std::string::npos) << empty.error();

  for (const char* bad : {"m1:0", "m1:65536", "m1:http", "m1:"}) {
    Result<std::string> url = normalize_master_url(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_NE(url.error().find("port"), std::string::npos) << url.error();
    EXPECT_NE(url.error().find("1-65535"), std::string::npos) << url.error();
  }
  Result<std::string> scheme = normalize_master_url("ftp://m1:21", "--leader");
  ASSERT_FALSE(scheme.ok());
  EXPECT_EQ(scheme.error().rfind("--leader: ", 0), 0u) << scheme.error();
  EXPECT_NE(scheme.error().find("ftp://"), std::string::npos) << scheme.error();
  Result<std::string> v6 = normalize_master_url("::1:5050");
  ASSERT_FALSE(v6.ok());
  EXPECT_NE(v6.error().find("brackets"), std::string::npos) << v6.error();
  EXPECT_FALSE(normalize_master_url("http://:5050").ok());
  EXPECT_FALSE(normalize_master_url("bad host:5050").ok());
  EXPECT_FALSE(normalize_master_url("http://m1:5050/?x=1").ok());

  // A ZooKeeper URL needs a detector; its password is not echoed.
  Result<std::string> zk = normalize_master_url("zk://ops:s3cret@zk1:2181/mesos");
  ASSERT_FALSE(zk.ok());
  EXPECT_NE(zk.error().find("ZooKeeper"), std::string::npos) << zk.error();
  EXPECT_EQ(zk.error().find("s3cret"), std::string::npos) << zk.error();
}

TEST(NormalizeMasterUrl, ReadsTheMasterFromAFile) {
  std::string path = ::testing::TempDir() + "/master_detector_test_" + std::to_string(::getpid());
  ASSERT_TRUE(fs::write_file_atomically(path, "10.0.0.9:5050\n").ok());
  EXPECT_EQ(normalized("file://" + path), "http://10.0.0.9:5050");
  ASSERT_TRUE(fs::write_file_atomically(path, "\n").ok());
  Result<std::string> empty = normalize_master_url("file://" + path);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().find(path), std::string::npos) << empty.error();
  ::unlink(path.c_str());
  Result<std::string> missing = normalize_master_url("file://" + path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().rfind("--master: ", 0), 0u) << missing.error();
}

nlohmann::json mesos_master_info(const std::string& ip, int port) {
  in_addr address{};
  ::inet_pton(AF_INET, ip.c_str(), &address);
  return {{"id", "20240101-000000-1-5050-1"},
          {"ip", static_cast<uint32_t>(address.s_addr)},
          {"port", port},
          {"pid", "master@" + ip + ":" + std::to_string(port)},
          {"hostname", "master-host"},
          {"version", "1.11.0"},
          {"address", {{"hostname", "master-host"}, {"ip", ip}, {"port", port}}}};
}

TEST(LeaderUrl, ReadsMesosMasterInfo) {
  EXPECT_EQ(leader_url(mesos_master_info("10.0.0.1", 5050)), "http://10.0.0.1:5050");

  // Older Mesos: no address, only the packed ip (network-order bytes).
  nlohmann::json packed = mesos_master_info("192.168.7.42", 5051);
  packed.erase("address");
  EXPECT_EQ(leader_url(packed), "http://192.168.7.42:5051");

  // No ip at all: the hostname.
  nlohmann::json named = mesos_master_info("10.0.0.1", 5052);
  named.erase("ip");
  named["address"].erase("ip");
  EXPECT_EQ(leader_url(named), "http://master-host:5052");

  nlohmann::json v6{{"address", {{"ip", "fd00::5"}, {"port", 5050}}}};
  EXPECT_EQ(leader_url(v6), "http://[fd00::5]:5050");

  nlohmann::json no_port = mesos_master_info("10.0.0.1", 5050);
  no_port.erase("port");
  no_port["address"].erase("port");
  EXPECT_EQ(leader_url(no_port), std::nullopt);
  EXPECT_EQ(leader_url(nlohmann::json::array()), std::nullopt);
  EXPECT_EQ(leader_url(nlohmann::json{{"port", 5050}}), std::nullopt);
  EXPECT_EQ(leader_url(nlohmann::json{{"hostname", "h"}, {"port", "5050"}}), std::nullopt);
}

TEST(MasterDetector, FixedMasterIsReportedOnceFromTheLoop) {
  EventLoop loop;
  loop.start_thread();
  std::vector<std::optional<std::string>> seen;  // loop-owned
  std::unique_ptr<MasterDetector> detector = loop.call([&] {
    Result<std::unique_ptr<MasterDetector>> created =
        MasterDetector::create(loop, "10.0.0.1", Duration::seconds(10),
                               [&](std::optional<std::string> url) { seen.push_back(url); });
    EXPECT_TRUE(created.ok()) << created.error();
    // Not from inside create().
    EXPECT_TRUE(seen.empty());
    return created.ok() ? std::move(created).value() : nullptr;
  });
  ASSERT_TRUE(detector);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  loop.call([&] {
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0], "http://10.0.0.1:5050");
    EXPECT_FALSE(detector->follows_zookeeper());
    EXPECT_EQ(detector->source(), "http://10.0.0.1:5050");
    EXPECT_EQ(detector->leader(), "http://10.0.0.1:5050");
    detector.reset();
  });
  loop.stop();
  loop.join();
}

TEST(MasterDetector, RefusesBadMasters) {
  EventLoop loop;
  for (const char* bad : {"zk://zk1:2181", "zk://zk1:99999/mesos", "m1:0", "ftp://m1"}) {
    Result<std::unique_ptr<MasterDetector>> created =
        MasterDetector::create(loop, bad, Duration::seconds(10), [](std::optional<std::string>) {});
    ASSERT_FALSE(created.ok()) << bad;
    EXPECT_EQ(created.error().rfind("--master: ", 0), 0u) << created.error();
  }
}

TEST(DetectLeaderOnce, FixedMasterIsOnlyNormalised) {
  Result<std::string> url = detect_leader_once("m1:6060", Duration::seconds(1));
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(*url, "http://m1:6060");
}

TEST(DetectLeaderOnce, UnreachableZooKeeperIsAnErrorAfterTheTimeout) {
  auto start = std::chrono::steady_clock::now();
  // Port 1 on loopback: nothing listens there.
  Result<std::string> url =
      detect_leader_once("zk://ops:s3cret@127.0.0.1:1/mesos", Duration::milliseconds(500));
  ASSERT_FALSE(url.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_NE(url.error().find("zk://127.0.0.1:1/mesos"), std::string::npos) << url.error();
  EXPECT_NE(url.error().find("500ms"), std::string::npos) << url.error();
  EXPECT_EQ(url.error().find("s3cret"), std::string::npos) << url.error();
}

}  // namespace
}  // namespace cairn::detector
