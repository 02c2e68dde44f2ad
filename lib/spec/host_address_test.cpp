#include "lib/spec/host_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cairn::spec {
namespace {

std::string error_of(const std::string& host) {
  auto kind = classify_host(host);
  return kind ? std::string("OK") : kind.error();
}

TEST(HostAddress, ClassifiesAddressesAndNames) {
  EXPECT_EQ(*classify_host("10.0.0.11"), HostKind::kIPv4);
  EXPECT_EQ(*classify_host("::1"), HostKind::kIPv6);
  EXPECT_EQ(*classify_host("fd00::11"), HostKind::kIPv6);
  EXPECT_EQ(*classify_host("::ffff:10.0.0.1"), HostKind::kIPv6);
  EXPECT_EQ(*classify_host("m1.example.com"), HostKind::kName);
  EXPECT_EQ(*classify_host("m1.example.com."), HostKind::kName);
  EXPECT_EQ(*classify_host("localhost"), HostKind::kName);
  EXPECT_EQ(*classify_host("1-2.example.com"), HostKind::kName);
  EXPECT_EQ(*classify_host(std::string(63, 'a') + ".com"), HostKind::kName);
}

TEST(HostAddress, SaysWhatIsWrong) {
  EXPECT_EQ(error_of(""),
            "is empty (expected an IPv4 address such as 10.0.0.11, an IPv6 address such as "
            "fd00::11, or a host name such as m1.example.com)");
  EXPECT_EQ(error_of("10.0.0.256"),
            "is not a valid IPv4 address: it needs four numbers 0..255 separated by dots (got "
            "'10.0.0.256'; expected an IPv4 address such as 10.0.0.11, an IPv6 address such as "
            "fd00::11, or a host name such as m1.example.com)");
  EXPECT_NE(error_of("10.0.0").find("not a valid IPv4 address"), std::string::npos);
  EXPECT_NE(error_of("[::1]").find("without brackets"), std::string::npos);
  EXPECT_NE(error_of("10.0.0.1:5050").find("it has a port"), std::string::npos);
  EXPECT_NE(error_of("m1.example.com:22").find("it has a port"), std::string::npos);
  EXPECT_NE(error_of("fd00::1::2").find("not a valid IPv6 address"), std::string::npos);
  EXPECT_NE(error_of("bad host").find("only contain letters, digits"), std::string::npos);
  EXPECT_NE(error_of("under_score.example.com").find("only contain letters"), std::string::npos);
  EXPECT_NE(error_of("-a.example.com").find("start or end with '-'"), std::string::npos);
  EXPECT_NE(error_of("a..example.com").find("empty label"), std::string::npos);
  EXPECT_NE(error_of(".").find("empty label"), std::string::npos);
  EXPECT_NE(error_of(std::string(64, 'a') + ".com").find("longer than 63"), std::string::npos);
  EXPECT_NE(error_of(std::string(300, 'a')).find("longer than 253"), std::string::npos);
  EXPECT_NE(error_of(std::string("a\0b", 3)).find("\\x00"), std::string::npos);
}

TEST(HostAddress, CanonicalForms) {
  EXPECT_EQ(canonical_host("fd00:0:0::1"), "fd00::1");
  EXPECT_EQ(canonical_host("FD00::1"), "fd00::1");
  EXPECT_EQ(canonical_host("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_host("M1.Example.COM."), "m1.example.com");
  EXPECT_TRUE(is_ip_address("::1"));
  EXPECT_FALSE(is_ip_address("localhost"));
}

// The one test that uses the system resolver: localhost is in /etc/hosts.
TEST(HostAddress, DefaultResolverFindsLocalhost) {
  EXPECT_TRUE(resolve_with_getaddrinfo("localhost"));
}

}  // namespace
}  // namespace cairn::spec
