#include "lib/spec/host_identity.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "lib/spec/spec_testing.hpp"

namespace cairn::spec {
namespace {

using testing::all;
using testing::load;

ClusterSpec spec_of(const std::string& text) {
  auto l = load(text);
  EXPECT_TRUE(l.ok()) << all(l);
  return l.spec.value_or(ClusterSpec{});
}

const std::string kCluster = R"(apiVersion: cairn/v1
cluster: {name: c, version: 1.0.0}
masters: [{host: 10.0.0.1, hostname: m1.example.com}, {host: "fd00::2"}, {host: 10.0.0.3}]
agents: [{host: 10.0.1.1}, {host: 10.0.0.1}, {host: 10.0.2.1, hostname: Edge.Example.com}]
)";

TEST(HostIdentity, FindsMasterAndAgentEntries) {
  const ClusterSpec spec = spec_of(kCluster);
  const std::vector<std::string> both = {"127.0.0.1", "10.0.0.1", "::1"};
  auto roles = find_host_roles(spec, both);
  ASSERT_TRUE(roles.ok()) << roles.error();
  EXPECT_EQ(roles->master, 0u);
  EXPECT_EQ(roles->agent, 1u);  // a master that is also an agent

  const std::vector<std::string> agent_only = {"10.0.1.1"};
  EXPECT_FALSE(find_host_roles(spec, agent_only)->master.has_value());
  EXPECT_EQ(find_host_roles(spec, agent_only)->agent, 0u);

  const std::vector<std::string> nobody = {"192.168.1.1", "laptop"};
  EXPECT_TRUE(find_host_roles(spec, nobody)->empty());
}

TEST(HostIdentity, MatchesCanonicalAddressesAndNamesIgnoringCase) {
  const ClusterSpec spec = spec_of(kCluster);
  const std::vector<std::string> long_v6 = {"fd00:0:0:0:0:0:0:2"};
  EXPECT_EQ(find_host_roles(spec, long_v6)->master, 1u);
  const std::vector<std::string> by_name = {"M1.EXAMPLE.COM."};
  EXPECT_EQ(find_host_roles(spec, by_name)->master, 0u);
  const std::vector<std::string> edge = {"edge.example.com"};
  EXPECT_EQ(find_host_roles(spec, edge)->agent, 2u);
}

TEST(HostIdentity, TwoEntriesForOneMachineIsAnError) {
  const ClusterSpec spec = spec_of(kCluster);
  // This machine has both 10.0.1.1 and 10.0.2.1: agents[0] and agents[2].
  const std::vector<std::string> two = {"10.0.1.1", "10.0.2.1"};
  auto roles = find_host_roles(spec, two);
  ASSERT_FALSE(roles.ok());
  EXPECT_EQ(roles.error(),
            "this machine matches agents[0] (10.0.1.1), agents[2] (10.0.2.1) (expected one "
            "agents entry per machine; two entries name the same machine by different addresses "
            "or names)");
}

TEST(HostIdentity, LocalIdentitiesIncludeLoopback) {
  const auto local = local_identities();
  EXPECT_NE(std::find(local.begin(), local.end(), "127.0.0.1"), local.end());
  EXPECT_TRUE(std::is_sorted(local.begin(), local.end()));
}

}  // namespace
}  // namespace cairn::spec
