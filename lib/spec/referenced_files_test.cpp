// The files a spec is, or names: reading the spec file, and the TLS,
// credential, ACL and rate-limit files it refers to.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lib/spec/load_spec.hpp"
#include "lib/spec/spec_testing.hpp"
#include "lib/spec/text_file.hpp"

namespace cairn::spec {
namespace {

using testing::all;
using testing::kMinimal;
using testing::no_dns_options;
using testing::only;

constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
constexpr const char* kKey = "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n";

class SpecFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cairn-spec-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  SpecLoad load_with(const std::string& extra, bool check_files = true) {
    return load_spec_file(write("cluster.yaml", std::string(kMinimal) + extra),
                          no_dns_options(check_files));
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(SpecFiles, TlsFilesMustExistAndHoldPemWhenEnabled) {
  auto missing = load_with("security:\n  tls: {enabled: true, ca_cert: ca.crt}\n");
  EXPECT_EQ(only(missing, "security.tls.ca_cert").to_string(),
            path("cluster.yaml") + ":5:33: security.tls.ca_cert: file '" + path("ca.crt") +
                "' does not exist (expected the PEM certificate of the cluster CA)");
  EXPECT_EQ(only(missing, "security.tls.ca_key").message,
            "is required (expected the path of the PEM private key of the cluster CA)");

  write("ca.crt", "not a certificate");
  write("tls/ca.key", kPem);
  auto wrong =
      load_with("security:\n  tls: {enabled: true, ca_cert: ca.crt, ca_key: tls/ca.key}\n");
  EXPECT_NE(only(wrong, "security.tls.ca_cert").message.find("does not hold a PEM certificate"),
            std::string::npos);
  EXPECT_NE(only(wrong, "security.tls.ca_key").message.find("does not hold a PEM private key"),
            std::string::npos);

  write("ca.crt", kPem);
  write("tls/ca.key", kKey);
  // Relative paths resolve against the spec's folder, and come out resolved.
  auto ok = load_with("security:\n  tls: {enabled: true, ca_cert: ca.crt, ca_key: tls/ca.key}\n");
  ASSERT_TRUE(ok.ok()) << all(ok);
  EXPECT_EQ(ok.spec->security.tls.ca_cert, path("ca.crt"));
  EXPECT_EQ(ok.spec->security.tls.ca_key, path("tls/ca.key"));

  // Disabled TLS needs no files, and names of absent ones are fine.
  EXPECT_TRUE(load_with("security: {tls: {enabled: false, ca_cert: nope.crt}}\n").ok());
  auto empty = load_with("security: {tls: {enabled: true, ca_cert: '', ca_key: tls/ca.key}}\n");
  EXPECT_EQ(only(empty, "security.tls.ca_cert").message,
            "is empty (expected the path of the PEM certificate of the cluster CA)");
}

TEST_F(SpecFiles, FileChecksCanBeSwitchedOff) {
  auto l = load_with(
      "security:\n  tls: {enabled: true, ca_cert: /nope/ca.crt, ca_key: /nope/ca.key}\n"
      "  authentication: {agents: true, credentials: /nope/c.json}\n  acls: /nope/a.json\n",
      false);
  ASSERT_TRUE(l.ok()) << all(l);
  EXPECT_EQ(l.spec->security.acls, "/nope/a.json");
  // Required paths are still required.
  auto missing = load_with("security: {authentication: {frameworks: true}}\n", false);
  EXPECT_EQ(only(missing, "security.authentication.credentials").message,
            "is required (expected the path of Mesos credentials JSON)");
}

TEST_F(SpecFiles, CredentialsAclsAndRateLimitsMustHaveTheMesosShape) {
  write("creds.json", R"({"credentials":[{"principal":"ops","secret":"s"}]})");
  write(
      "acls.json",
      R"({"permissive":false,"register_frameworks":[{"principals":{"type":"ANY"},"roles":{"values":["prod"]}}]})");
  write("limits.json", R"({"limits":[{"principal":"fw","qps":10}]})");
  auto ok = load_with(
      "security: {authentication: {frameworks: true, credentials: creds.json}, acls: acls.json, "
      "rate_limits: limits.json}\n");
  ASSERT_TRUE(ok.ok()) << all(ok);
  EXPECT_EQ(ok.spec->security.authentication.credentials, path("creds.json"));
  EXPECT_EQ(ok.spec->security.rate_limits, path("limits.json"));

  write("bad-creds.json", R"({"credentials":[{"principal":"ops"}]})");
  write("bad-acls.json", "{\n  \"run_tasks\": [\n    {principals}\n  ]\n}");
  write("bad-limits.json", R"({"limits":[{"principal":"fw","qps":-1}],"aggregate_default_qps":0})");
  auto bad = load_with(
      "security:\n  authentication: {agents: true, credentials: bad-creds.json}\n"
      "  acls: bad-acls.json\n  rate_limits: bad-limits.json\n");
  EXPECT_EQ(only(bad, "security.authentication.credentials").to_string(),
            path("cluster.yaml") + ":5:47: security.authentication.credentials: file '" +
                path("bad-creds.json") +
                "': credentials[0].secret: is required (expected a string such as "
                "\"a-long-random-secret\")");
  const Diagnostic acls = only(bad, "security.acls");
  EXPECT_EQ(acls.line, 6);
  EXPECT_TRUE(acls.message.starts_with("file '" + path("bad-acls.json") +
                                       "': is not valid JSON: parse error at line 3, column 6"))
      << acls.message;
  std::vector<std::string> limit_problems;
  for (const auto& d : bad.diagnostics) {
    if (d.path == "security.rate_limits") limit_problems.push_back(d.message);
  }
  ASSERT_EQ(limit_problems.size(), 2u) << all(bad);
  EXPECT_NE(limit_problems[0].find("aggregate_default_qps: must be a number > 0 (got 0)"),
            std::string::npos);
  EXPECT_NE(limit_problems[1].find("limits[0].qps: must be a number > 0 (got -1)"),
            std::string::npos);

  auto need = load_with("security: {authentication: {agents: true}}\n");
  EXPECT_EQ(only(need, "security.authentication.credentials").line, 4);
}

TEST_F(SpecFiles, SpecialAndHugeReferencedFilesAreRefused) {
  std::filesystem::create_directories(dir_ / "acls.d");
  auto dir = load_with("security: {acls: acls.d}\n");
  EXPECT_NE(only(dir, "security.acls").message.find("is a directory (expected a file)"),
            std::string::npos);
  auto dev = load_with("security: {rate_limits: /dev/zero}\n");
  EXPECT_NE(only(dev, "security.rate_limits").message.find("is not a regular file"),
            std::string::npos);
  write("huge.json", std::string(2 * 1024 * 1024, ' '));
  auto huge = load_with("security: {acls: huge.json}\n");
  EXPECT_NE(only(huge, "security.acls").message.find("is 2097152 bytes (expected at most 1048576)"),
            std::string::npos);
}

TEST_F(SpecFiles, UnreadableSpecFiles) {
  auto missing = load_spec_file(path("nope.yaml"), no_dns_options());
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_EQ(missing.diagnostics[0].to_string(),
            path("nope.yaml") + ": cannot read the spec: does not exist");
  auto directory = load_spec_file(dir_.string(), no_dns_options());
  EXPECT_EQ(directory.diagnostics.at(0).message,
            "cannot read the spec: is a directory (expected a file)");
  ValidationOptions small = no_dns_options();
  small.max_bytes = 10;
  auto big = load_spec_file(write("big.yaml", kMinimal), small);
  EXPECT_NE(big.diagnostics.at(0).message.find("(expected at most 10)"), std::string::npos);
  auto dev = load_spec_file("/dev/zero", no_dns_options());
  EXPECT_NE(dev.diagnostics.at(0).message.find("is not a regular file"), std::string::npos);
}

TEST_F(SpecFiles, ReadTextFile) {
  EXPECT_EQ(*read_text_file(write("a.txt", "hello"), 5), "hello");
  EXPECT_EQ(read_text_file(write("b.txt", "hello!"), 5).error(), "is 6 bytes (expected at most 5)");
  EXPECT_EQ(*read_text_file(write("empty.txt", ""), 5), "");
}

}  // namespace
}  // namespace cairn::spec
