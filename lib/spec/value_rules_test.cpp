#include "lib/spec/value_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::spec {
namespace {

std::string error_of(const Status& s) {
  return s ? std::string("OK") : s.error();
}

TEST(ClusterName, AcceptsDnsLabels) {
  const std::vector<std::string> names = {"a", "prod-east", "c1", "0abc", std::string(63, 'x')};
  for (const std::string& good : names) {
    EXPECT_TRUE(check_cluster_name(good)) << good << ": " << error_of(check_cluster_name(good));
  }
}

TEST(ClusterName, SaysWhatIsWrong) {
  EXPECT_EQ(error_of(check_cluster_name("Prod")),
            "is not a valid cluster name: only lower-case letters, digits and '-' are allowed "
            "(got 'Prod'; expected 1..63 of a-z, 0-9 and '-', not starting or ending with '-', "
            "such as prod-east)");
  EXPECT_NE(error_of(check_cluster_name("-a")).find("may not start or end with '-'"),
            std::string::npos);
  EXPECT_NE(error_of(check_cluster_name("a-")).find("may not start or end with '-'"),
            std::string::npos);
  EXPECT_NE(error_of(check_cluster_name("")).find("1..63 characters"), std::string::npos);
  EXPECT_NE(error_of(check_cluster_name(std::string(64, 'a'))).find("1..63 characters"),
            std::string::npos);
  EXPECT_NE(error_of(check_cluster_name("a_b")).find("only lower-case"), std::string::npos);
}

TEST(UserName, PosixPortableNames) {
  for (const char* good : {"root", "admin", "_svc", "centos.user", "a-b_c1"}) {
    EXPECT_TRUE(check_user_name(good)) << good;
  }
  for (const char* bad : {"", "Admin", "1user", "us er", "-x"}) {
    EXPECT_NE(error_of(check_user_name(bad)).find("is not a valid user name"), std::string::npos)
        << bad;
  }
  EXPECT_FALSE(check_user_name(std::string(33, 'a')));
}

TEST(ZnodePath, Rules) {
  for (const char* good : {"/mesos", "/cairn/prod-east", "/a.b/c_d"}) {
    EXPECT_TRUE(check_znode_path(good)) << good << ": " << error_of(check_znode_path(good));
  }
  EXPECT_NE(error_of(check_znode_path("mesos")).find("must start with '/'"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/")).find("ZooKeeper root"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/a//b")).find("empty component"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/a/")).find("empty component"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/a/../b")).find("'.' and '..'"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/a b")).find("whitespace"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/zookeeper/x")).find("reserved"), std::string::npos);
  EXPECT_NE(error_of(check_znode_path("/" + std::string(2000, 'a'))).find("1024"),
            std::string::npos);
}

TEST(AbsolutePath, Rules) {
  EXPECT_TRUE(check_absolute_path("/var/lib/cairn"));
  EXPECT_EQ(error_of(check_absolute_path("var/lib")),
            "must be an absolute path (got 'var/lib'; expected an absolute path such as "
            "/var/lib/cairn)");
  EXPECT_NE(error_of(check_absolute_path(std::string("/a\nb"))).find("control characters"),
            std::string::npos);
  EXPECT_NE(error_of(check_absolute_path("/" + std::string(5000, 'a'))).find("4096"),
            std::string::npos);
}

}  // namespace
}  // namespace cairn::spec
