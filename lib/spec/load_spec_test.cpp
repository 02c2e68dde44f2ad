// The rules of the spec, each with an invalid spec and the exact position,
// key path and message it must produce.
#include "lib/spec/load_spec.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lib/spec/node_reader.hpp"
#include "lib/spec/spec_testing.hpp"
#include "lib/spec/summary.hpp"

namespace cairn::spec {
namespace {

using testing::all;
using testing::kMinimal;
using testing::load;
using testing::no_dns_options;
using testing::only;

std::string with(const std::string& extra) {
  return std::string(kMinimal) + extra;
}

// "LINE:COLUMN: path: message" of one diagnostic.
std::string at(const Diagnostic& d) {
  return std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.path + ": " + d.message;
}

std::string source_file(const std::string& relative) {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LoadSpec, MinimalSpecGetsEveryDefault) {
  auto l = load(kMinimal);
  ASSERT_TRUE(l.ok()) << all(l);
  EXPECT_TRUE(l.diagnostics.empty());
  const ClusterSpec& s = *l.spec;
  EXPECT_EQ(s.api_version, "cairn/v1");
  EXPECT_EQ(s.cluster.name, "c1");
  EXPECT_EQ(s.cluster.version.to_string(), "1.0.0");
  EXPECT_EQ(s.cluster.work_dir, "/var/lib/cairn");
  EXPECT_EQ(s.cluster.log_dir, "/var/log/cairn");
  EXPECT_EQ(s.ssh.user, "root");
  EXPECT_EQ(s.ssh.port, 22);
  EXPECT_EQ(s.masters.size(), 1u);
  EXPECT_EQ(s.masters[0].hostname, "10.0.0.1");
  EXPECT_EQ(s.quorum(), 1u);
  EXPECT_EQ(s.zookeeper.servers, std::vector<std::string>{"10.0.0.1"});
  EXPECT_TRUE(s.zookeeper.servers_from_masters);
  EXPECT_EQ(s.zookeeper.client_port, 2181);
  EXPECT_EQ(s.zookeeper.path, "/mesos");
  EXPECT_EQ(s.zookeeper.session_timeout, Duration::seconds(10));
  EXPECT_EQ(s.zookeeper_url(), "zk://10.0.0.1:2181/mesos");
  EXPECT_TRUE(s.agents.empty());
  EXPECT_TRUE(s.roles.empty());
  EXPECT_EQ(s.weights_flag(), "");
  EXPECT_FALSE(s.docker.enabled);
  EXPECT_EQ(s.docker.socket, "/var/run/docker.sock");
  EXPECT_FALSE(s.security.tls.enabled);
  EXPECT_FALSE(s.security.authentication.agents);
  EXPECT_FALSE(s.security.authentication.frameworks);
  EXPECT_EQ(s.ports.master, 5050);
  EXPECT_EQ(s.ports.agent, 5051);
  EXPECT_EQ(s.ports.router_http, 80);
  EXPECT_EQ(s.ports.router_https, 443);
}

TEST(LoadSpec, EveryKeyIsRead) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: big, version: 2.1.0-rc.2, work_dir: /data/cairn, log_dir: /data/log}
ssh: {user: admin, port: 2222, key_file: ~/.ssh/id}
zookeeper:
  servers: [zk1.example.com, "fd00::1", 10.0.0.3]
  client_port: 2182
  path: /cairn/big
  session_timeout: 15secs
masters:
  - {host: 10.0.0.1, hostname: m1.example.com}
agents:
  - {host: 10.0.1.1, hostname: a1.example.com, role: private, resources: "cpus:4;mem:8192",
     attributes: "rack:r1;level:3", work_dir: /srv/agent}
  - {host: 10.0.2.1, role: public}
roles: [{name: prod, weight: 2.5}, {name: eng/web}]
docker: {enabled: yes, socket: /run/docker.sock}
security:
  tls: {enabled: false, ca_cert: ca.crt}
  authentication: {agents: false, frameworks: false}
ports: {master: 15050, agent: 15051, router_http: 8080, router_https: 8443}
)");
  ASSERT_TRUE(l.ok()) << all(l);
  const ClusterSpec& s = *l.spec;
  EXPECT_EQ(s.cluster.version.pre_release, (std::vector<std::string>{"rc", "2"}));
  EXPECT_EQ(s.cluster.work_dir, "/data/cairn");
  EXPECT_EQ(s.cluster.log_dir, "/data/log");
  EXPECT_EQ(s.ssh.user, "admin");
  EXPECT_EQ(s.ssh.port, 2222);
  EXPECT_EQ(s.ssh.key_file, "~/.ssh/id");
  EXPECT_FALSE(s.zookeeper.servers_from_masters);
  EXPECT_EQ(s.zookeeper_url(), "zk://zk1.example.com:2182,[fd00::1]:2182,10.0.0.3:2182/cairn/big");
  EXPECT_EQ(s.zookeeper_quorum(), 2u);
  EXPECT_EQ(s.zookeeper.session_timeout, Duration::seconds(15));
  EXPECT_EQ(s.masters[0].hostname, "m1.example.com");
  ASSERT_EQ(s.agents.size(), 2u);
  EXPECT_EQ(s.agents[0].hostname, "a1.example.com");
  EXPECT_EQ(s.agents[0].role, AgentRole::kPrivate);
  EXPECT_EQ(s.agents[0].resources->cpus(), 4.0);
  EXPECT_EQ(s.agents[0].resources->reserved("*").mem(), 0.0);
  EXPECT_EQ(s.agents[0].resources->unreserved().mem(), 8192.0);
  ASSERT_NE(s.agents[0].attributes.get("level"), nullptr);
  EXPECT_EQ(s.agents[0].work_dir, "/srv/agent");
  EXPECT_EQ(s.agents[1].role, AgentRole::kPublic);
  EXPECT_EQ(s.agents[1].default_mesos_role(), "slave_public");
  EXPECT_FALSE(s.agents[1].resources.has_value());
  EXPECT_EQ(s.agents[1].hostname, "10.0.2.1");
  EXPECT_EQ(s.agents[1].work_dir, "/data/cairn");  // the cluster's
  EXPECT_EQ(s.public_agent_count(), 1u);
  EXPECT_EQ(s.private_agent_count(), 1u);
  EXPECT_EQ(s.weights_flag(), "prod=2.5,eng/web=1");
  EXPECT_TRUE(s.docker.enabled);
  EXPECT_EQ(s.docker.socket, "/run/docker.sock");
  EXPECT_EQ(s.security.tls.ca_cert, "ca.crt");  // kept, though TLS is off
  EXPECT_EQ(s.ports.router_https, 8443);
}

TEST(LoadSpec, ExamplesValidate) {
  const std::string dir = std::string(CAIRN_SOURCE_DIR) + "/config-schema/examples/";
  // The single-node example validates with file checks on, as the README runs it.
  auto single = load_spec_file(dir + "single-node.yaml", no_dns_options(true));
  ASSERT_TRUE(single.ok()) << all(single);
  const ClusterSpec& s = *single.spec;
  EXPECT_EQ(s.masters[0].host, s.agents[0].host);  // one machine, both roles
  EXPECT_EQ(s.agents[0].resources->cpus(), 2.0);
  EXPECT_FALSE(s.security.tls.enabled);

  auto production = load_spec_file(dir + "production.yaml", no_dns_options(false));
  ASSERT_TRUE(production.ok()) << all(production);
  const ClusterSpec& p = *production.spec;
  EXPECT_EQ(p.masters.size(), 3u);
  EXPECT_EQ(p.quorum(), 2u);
  EXPECT_EQ(p.zookeeper_url(), "zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos");
  EXPECT_GE(p.public_agent_count(), 1u);
  EXPECT_GE(p.private_agent_count(), 1u);
  EXPECT_TRUE(p.security.tls.enabled);
  EXPECT_TRUE(p.security.authentication.frameworks);
  EXPECT_EQ(p.weights_flag(), "prod=3,dev=1");

  const std::string summary = summarize(p);
  for (const char* part : {"prod-east, Cairn 1.0.0", "3 masters, quorum 2", "zk://10.0.0.11:2181",
                           "2 private, 1 public", "prod (weight 3), dev (weight 1)",
                           "tls:", "on (CA /etc/cairn/tls/ca.crt)", "agents on, frameworks on"}) {
    EXPECT_NE(summary.find(part), std::string::npos) << part << "\n" << summary;
  }
}

TEST(LoadSpec, YamlProblemsAreOneLocatedDiagnostic) {
  auto l = load("apiVersion: cairn/v1\ncluster: {name: c1\nmasters: []\n");
  ASSERT_EQ(l.diagnostics.size(), 1u) << all(l);
  EXPECT_EQ(l.diagnostics[0].to_string(),
            "cluster.yaml:3:8: YAML syntax error: end of map flow not found");
  EXPECT_FALSE(l.ok());
}

TEST(LoadSpec, EmptyAndNonMappingDocuments) {
  for (const char* empty : {"", "# only a comment\n", "~\n"}) {
    auto l = load(empty);
    ASSERT_EQ(l.diagnostics.size(), 1u);
    EXPECT_EQ(l.diagnostics[0].to_string(),
              "cluster.yaml: the spec is empty (expected apiVersion, cluster and masters at "
              "least; 'cairn spec example' prints a complete spec)");
  }
  auto list = load("- a\n- b\n");
  ASSERT_EQ(list.diagnostics.size(), 1u);
  EXPECT_EQ(at(list.diagnostics[0]),
            "1:1: : must be a mapping (got a list; expected a mapping with apiVersion, cluster, "
            "masters and the other sections)");
}

TEST(LoadSpec, ApiVersion) {
  auto v2 = load(
      "apiVersion: cairn/v2\ncluster: {name: c1, version: 1.0.0}\nmasters: [{host: "
      "10.0.0.1}]\n");
  EXPECT_EQ(at(only(v2, "apiVersion")),
            "1:13: apiVersion: is not a supported format version (got 'cairn/v2'; expected "
            "cairn/v1)");
}

TEST(LoadSpec, RequiredKeys) {
  auto l = load("cluster: {version: 1.0.0}\nroles: [{weight: 2}]\n");
  EXPECT_EQ(at(only(l, "apiVersion")), "1:1: apiVersion: is required (expected cairn/v1)");
  EXPECT_EQ(at(only(l, "cluster.name")),
            "1:10: cluster.name: is required (expected a cluster name such as prod-east)");
  EXPECT_EQ(at(only(l, "masters")),
            "1:1: masters: is required (expected 1, 3, 5 or 7 entries like {host: 10.0.0.11})");
  EXPECT_EQ(at(only(l, "roles[0].name")),
            "2:9: roles[0].name: is required (expected a role name such as prod)");
  EXPECT_EQ(l.diagnostics.size(), 4u) << all(l);

  auto no_cluster = load("apiVersion: cairn/v1\nmasters: [{host: 10.0.0.1}, {hostname: x}, {}]\n");
  EXPECT_EQ(at(only(no_cluster, "cluster")),
            "1:1: cluster: is required (expected a mapping with name and version)");
  EXPECT_EQ(at(only(no_cluster, "masters[1].host")),
            "2:29: masters[1].host: is required (expected an IP address or host name such as "
            "10.0.0.11)");
  EXPECT_EQ(only(no_cluster, "masters[2].host").column, 44);

  auto empty_value = load(
      "apiVersion: cairn/v1\ncluster:\n  name:\n  version: 1.0.0\nmasters: "
      "[{host: 10.0.0.1}]\n");
  EXPECT_EQ(at(only(empty_value, "cluster.name")),
            "3:3: cluster.name: needs a value (expected a cluster name such as prod-east)");
}

TEST(LoadSpec, UnknownKeysAtEveryLevelWithDidYouMean) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: c1, version: 1.0.0, wrok_dir: /x}
mastres: []
masters: [{host: 10.0.0.1, hostnme: m1}]
agents: [{host: 10.0.1.1, resorces: "cpus:1"}]
roles: [{name: prod, wieght: 2}]
ssh: {usr: admin}
zookeeper: {severs: [10.0.0.1]}
docker: {enabeld: true}
security: {tls: {enable: true}, authentication: {framworks: true}, acl: a.json}
ports: {mastr: 1}
banana: 1
)");
  EXPECT_EQ(at(only(l, "mastres")), "3:1: mastres: unknown key (did you mean 'masters'?)");
  EXPECT_EQ(at(only(l, "cluster.wrok_dir")),
            "2:37: cluster.wrok_dir: unknown key (did you mean 'work_dir'?)");
  EXPECT_EQ(at(only(l, "masters[0].hostnme")),
            "4:28: masters[0].hostnme: unknown key (did you mean 'hostname'?)");
  EXPECT_EQ(only(l, "agents[0].resorces").message, "unknown key (did you mean 'resources'?)");
  EXPECT_EQ(only(l, "roles[0].wieght").message, "unknown key (did you mean 'weight'?)");
  EXPECT_EQ(only(l, "ssh.usr").message, "unknown key (did you mean 'user'?)");
  EXPECT_EQ(only(l, "zookeeper.severs").message, "unknown key (did you mean 'servers'?)");
  EXPECT_EQ(only(l, "docker.enabeld").message, "unknown key (did you mean 'enabled'?)");
  EXPECT_EQ(only(l, "security.tls.enable").message, "unknown key (did you mean 'enabled'?)");
  EXPECT_EQ(only(l, "security.authentication.framworks").message,
            "unknown key (did you mean 'frameworks'?)");
  EXPECT_EQ(only(l, "security.acl").message, "unknown key (did you mean 'acls'?)");
  EXPECT_EQ(only(l, "ports.mastr").message, "unknown key (did you mean 'master'?)");
  EXPECT_EQ(at(only(l, "banana")),
            "12:1: banana: unknown key (expected one of: apiVersion, cluster, ssh, zookeeper, "
            "masters, agents, roles, docker, security, ports)");
  EXPECT_EQ(l.diagnostics.size(), 13u) << all(l);
}

TEST(LoadSpec, OddKeys) {
  auto l = load(with("? [a]\n: 1\n<<: {x: 1}\n"));
  EXPECT_EQ(at(only(l, "")), "4:3: : keys must be text (got a list as a key)");
  EXPECT_EQ(only(l, "<<").message,
            "unknown key (YAML merge keys are not supported; write the keys out)");
}

TEST(LoadSpec, RepeatedKeysAreReported) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: c1, version: 1.0.0}
masters: [{host: 10.0.0.1}]
ports: {master: 1000, agent: 1001, master: 1002}
cluster: {name: c2}
)");
  EXPECT_EQ(at(only(l, "ports.master")),
            "4:36: ports.master: key is given more than once (first at line 4; YAML would "
            "silently keep only one of them)");
  EXPECT_EQ(at(only(l, "cluster")),
            "5:1: cluster: key is given more than once (first at line 2; YAML would silently "
            "keep only one of them)");
  EXPECT_EQ(l.diagnostics.size(), 2u) << all(l);
}

TEST(LoadSpec, TypesAreChecked) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: [a], version: 1.0.0}
masters: {host: 10.0.0.1}
agents: [{host: 10.0.1.1}, "not-a-map"]
docker: {enabled: maybe}
ports: {master: fifty, agent: "5051", router_http: 80.5}
roles: [{name: prod, weight: heavy}, {name: dev, weight: "2"}]
ssh: [admin]
security: {tls: {enabled: "true"}}
)");
  EXPECT_EQ(at(only(l, "cluster.name")),
            "2:17: cluster.name: must be text (got a list; expected a cluster name such as "
            "prod-east)");
  EXPECT_EQ(at(only(l, "masters")),
            "3:10: masters: must be a list (got a mapping; expected 1, 3, 5 or 7 entries like "
            "{host: 10.0.0.11})");
  EXPECT_EQ(at(only(l, "agents[1]")),
            "4:28: agents[1]: must be a mapping (got 'not-a-map' in quotes; expected a mapping "
            "such as {host: 10.0.1.21, role: private})");
  EXPECT_EQ(at(only(l, "docker.enabled")),
            "5:19: docker.enabled: must be true or false (got 'maybe')");
  EXPECT_EQ(at(only(l, "ports.master")),
            "6:17: ports.master: is not a valid port (got 'fifty'; expected 1..65535)");
  EXPECT_EQ(at(only(l, "ports.agent")),
            "6:31: ports.agent: must be a whole number, not text (got '5051' in quotes; expected "
            "1..65535, without quotes)");
  EXPECT_EQ(only(l, "ports.router_http").message,
            "is not a valid port (got '80.5'; expected 1..65535)");
  EXPECT_EQ(only(l, "roles[0].weight").message,
            "is not a valid weight (got 'heavy'; expected a number > 0)");
  EXPECT_EQ(only(l, "roles[1].weight").message,
            "must be a number, not text (got '2' in quotes; expected a number > 0, without "
            "quotes)");
  EXPECT_EQ(at(only(l, "ssh")),
            "8:6: ssh: must be a mapping (got a list; expected a mapping with user, port and "
            "key_file)");
  EXPECT_EQ(only(l, "security.tls.enabled").message,
            "must be true or false, not text (got 'true' in quotes; expected true or false, "
            "without quotes)");
}

TEST(LoadSpec, ExplicitYamlTagsAreHonoured) {
  auto ok = load(with("ports: {master: !!int 6000}\nroles: [{name: a, weight: !!float 2}]\n"));
  EXPECT_TRUE(ok.ok()) << all(ok);
  auto text = load(with("ports: {master: !!str 6000}\n"));
  EXPECT_NE(only(text, "ports.master").message.find("must be a whole number, not text"),
            std::string::npos);
}

TEST(LoadSpec, MasterCountIsOneThreeFiveOrSeven) {
  for (int n : {1, 3, 5, 7}) {
    std::string masters;
    for (int i = 0; i < n; ++i)
      masters += "  - {host: 10.0.0." + std::to_string(i + 1) + "}\n";
    auto l = load("apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmasters:\n" + masters);
    ASSERT_TRUE(l.ok()) << n << "\n" << all(l);
    EXPECT_EQ(l.spec->quorum(), static_cast<size_t>(n / 2 + 1));
    EXPECT_EQ(l.spec->zookeeper.servers.size(), static_cast<size_t>(n));
  }
  for (int n : {0, 2, 4, 6, 9}) {
    std::string masters;
    for (int i = 0; i < n; ++i)
      masters += "  - {host: 10.0.0." + std::to_string(i + 1) + "}\n";
    auto l = load("apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmasters:" +
                  (n ? "\n" + masters : std::string(" []\n")));
    EXPECT_EQ(at(only(l, "masters")),
              (n ? "4:3" : "3:10") + std::string(": masters: has ") + std::to_string(n) +
                  " masters (expected 1, 3, 5 or 7: an odd number keeps a majority through "
                  "failures; 3 survive 1 failure, 5 survive 2)");
  }
}

TEST(LoadSpec, ZooKeeperEnsemble) {
  auto even = load(with("zookeeper:\n  servers: [10.0.0.1, 10.0.0.2]\n"));
  EXPECT_EQ(at(only(even, "zookeeper.servers")),
            "5:12: zookeeper.servers: has 2 servers (expected an odd number such as 1, 3 or 5, so "
            "that a majority survives failures; or leave servers out to run one on each master)");
  auto none = load(with("zookeeper: {servers: []}\n"));
  EXPECT_NE(only(none, "zookeeper.servers").message.find("has 0 servers"), std::string::npos);

  auto repeated =
      load(with("zookeeper: {servers: [10.0.0.1, zk1.example.com, ZK1.example.com.]}\n"));
  EXPECT_EQ(at(only(repeated, "zookeeper.servers[2]")),
            "4:50: zookeeper.servers[2]: host 'ZK1.example.com.' is listed twice in "
            "zookeeper.servers (also at zookeeper.servers[1]; expected each host once)");

  auto bad = load(with(
      "zookeeper: {servers: [{host: x}], session_timeout: 10sec, path: mesos, client_port: 0}\n"));
  EXPECT_EQ(at(only(bad, "zookeeper.servers[0]")),
            "4:23: zookeeper.servers[0]: must be text (got a mapping; expected an IP address or "
            "host name such as 10.0.0.11)");
  EXPECT_NE(only(bad, "zookeeper.session_timeout").message.find("sec"), std::string::npos);
  EXPECT_EQ(only(bad, "zookeeper.path").message,
            "is not a ZooKeeper path: it must start with '/' (got 'mesos'; expected a path such "
            "as /mesos or /cairn/prod-east)");
  EXPECT_EQ(only(bad, "zookeeper.client_port").message,
            "is not a valid port (got '0'; expected 1..65535)");

  auto range = load(with("zookeeper: {session_timeout: 20mins}\n"));
  EXPECT_EQ(at(only(range, "zookeeper.session_timeout")),
            "4:30: zookeeper.session_timeout: is out of range (got '20mins'; expected "
            "1secs..10mins)");

  // Left out, or given with no value: one server on each master.
  for (const char* derived : {"", "zookeeper: {client_port: 2281}\n", "zookeeper: {servers: }\n"}) {
    auto l = load(with(derived));
    ASSERT_TRUE(l.ok()) << derived << "\n" << all(l);
    EXPECT_TRUE(l.spec->zookeeper.servers_from_masters);
    EXPECT_EQ(l.spec->zookeeper.servers, std::vector<std::string>{"10.0.0.1"});
  }
}

TEST(LoadSpec, HostsAreAddressesOrNamesThatResolve) {
  int lookups = 0;
  ValidationOptions options = no_dns_options();
  options.resolve = [&lookups](const std::string& name) -> Status {
    ++lookups;
    return name == "m1.example.com" ? ok_status() : Error("Name or service not known");
  };
  auto l = load_spec_text(R"(apiVersion: cairn/v1
cluster: {name: c, version: 1.0.0}
masters: [{host: m1.example.com}, {host: "bad host"}, {host: unknown.example.com}]
agents: [{host: "::1"}, {host: 10.0.1.1, hostname: "-x-"}, {host: 10.0.0.256},
         {host: M1.example.com}, {host: "[::2]"}, {host: "10.0.1.9:5051"}]
zookeeper: {servers: [m1.example.com, unknown.example.com, 10.0.0.7]}
)",
                          "cluster.yaml", options);
  EXPECT_EQ(at(only(l, "masters[1].host")),
            "3:42: masters[1].host: is not a valid host name: it may only contain letters, "
            "digits, '-' and '.' (got 'bad host'; expected an IPv4 address such as 10.0.0.11, an "
            "IPv6 address such as fd00::11, or a host name such as m1.example.com)");
  EXPECT_EQ(at(only(l, "masters[2].host")),
            "3:62: masters[2].host: host name does not resolve: Name or service not known (got "
            "'unknown.example.com'; expected a name in DNS or /etc/hosts, or an IP address)");
  EXPECT_NE(only(l, "agents[1].hostname").message.find("may not start or end with '-'"),
            std::string::npos);
  EXPECT_NE(only(l, "agents[2].host").message.find("not a valid IPv4 address"), std::string::npos);
  EXPECT_NE(only(l, "agents[4].host").message.find("without brackets"), std::string::npos);
  EXPECT_NE(only(l, "agents[5].host").message.find("it has a port"), std::string::npos);
  EXPECT_NE(only(l, "zookeeper.servers[1]").message.find("does not resolve"), std::string::npos);
  EXPECT_EQ(l.diagnostics.size(), 7u) << all(l);
  // IP addresses are never looked up; each name once, whatever its case.
  EXPECT_EQ(lookups, 2);
}

TEST(LoadSpec, EachHostOnceInEachList) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: c, version: 1.0.0}
masters: [{host: 10.0.0.1}, {host: "fd00::1"}, {host: "fd00:0::1"}]
agents: [{host: 10.0.1.1}, {host: 10.0.1.2}, {host: 10.0.1.1}, {host: 10.0.0.1}]
)");
  EXPECT_EQ(at(only(l, "masters[2].host")),
            "3:55: masters[2].host: host 'fd00:0::1' is listed twice in masters (also at "
            "masters[1].host; expected each host once)");
  EXPECT_EQ(at(only(l, "agents[2].host")),
            "4:53: agents[2].host: host '10.0.1.1' is listed twice in agents (also at "
            "agents[0].host; expected each host once)");
  // A master may also be an agent (agents[3] is masters[0]): single-machine clusters.
  EXPECT_EQ(l.diagnostics.size(), 2u) << all(l);
}

TEST(LoadSpec, AgentRolesResourcesAttributesAndDirs) {
  auto ok = load(with(R"(agents:
  - {host: 10.0.1.1, resources: "cpus:4;mem:8192;cpus(prod):2;ports:[31000-32000]"}
  - {host: 10.0.2.1, role: public, resources: "cpus:2;mem:1024"}
)"));
  ASSERT_TRUE(ok.ok()) << all(ok);
  EXPECT_EQ(ok.spec->agents[0].resources->reserved("prod").cpus(), 2.0);
  EXPECT_EQ(ok.spec->agents[0].resources->unreserved().cpus(), 4.0);
  // A public agent's unreserved resources go to slave_public.
  EXPECT_EQ(ok.spec->agents[1].resources->reserved("slave_public").cpus(), 2.0);
  EXPECT_TRUE(ok.spec->agents[1].resources->unreserved().empty());

  auto bad = load(with(R"(agents:
  - {host: 10.0.1.1, role: edge, resources: "cpus:-1", attributes: "rack", work_dir: relative}
  - {host: 10.0.1.2, resources: "cpus(*bad):1;mem:x", attributes: "a:1;a:2"}
)"));
  EXPECT_EQ(at(only(bad, "agents[0].role")),
            "5:28: agents[0].role: is not an agent role (got 'edge'; expected private or public)");
  const Diagnostic resources = only(bad, "agents[0].resources");
  EXPECT_EQ(resources.column, 45);
  EXPECT_NE(resources.message.find("cpus:-1"), std::string::npos) << resources.message;
  EXPECT_NE(resources.message.find("non-negative"), std::string::npos) << resources.message;
  EXPECT_NE(only(bad, "agents[0].attributes").message.find("rack"), std::string::npos);
  EXPECT_EQ(only(bad, "agents[0].work_dir").message,
            "must be an absolute path (got 'relative'; expected an absolute path such as "
            "/var/lib/cairn)");
  EXPECT_FALSE(only(bad, "agents[1].resources").message.empty());
  EXPECT_NE(only(bad, "agents[1].attributes").message.find("a"), std::string::npos);
}

TEST(LoadSpec, RoleNamesAndWeights) {
  auto l = load(with(R"(roles:
  - {name: prod, weight: 2.5}
  - {name: "*"}
  - {name: slave_public}
  - {name: "-bad"}
  - {name: prod}
  - {name: dev, weight: 0}
  - {name: qa, weight: -1}
  - {name: ops, weight: .inf}
  - {name: eng/web, weight: 1e2}
)"));
  EXPECT_EQ(at(only(l, "roles[1].name")),
            "6:12: roles[1].name: role '*' is built in and cannot be declared (expected a role of "
            "your own; '*' is unreserved resources, slave_public the role of public agents)");
  EXPECT_NE(only(l, "roles[2].name").message.find("role 'slave_public' is built in"),
            std::string::npos);
  EXPECT_NE(only(l, "roles[3].name").message.find("-bad"), std::string::npos);
  EXPECT_EQ(at(only(l, "roles[4].name")),
            "9:12: roles[4].name: role 'prod' is declared twice (also at roles[0]; expected each "
            "role once)");
  EXPECT_EQ(at(only(l, "roles[5].weight")),
            "10:25: roles[5].weight: is not a valid weight (got '0'; expected a number > 0)");
  EXPECT_NE(only(l, "roles[6].weight").message.find("got '-1'"), std::string::npos);
  EXPECT_NE(only(l, "roles[7].weight").message.find("got '.inf'"), std::string::npos);
  EXPECT_EQ(l.diagnostics.size(), 7u) << all(l);
}

TEST(LoadSpec, ClusterNameAndVersionRules) {
  auto l = load(
      "apiVersion: cairn/v1\ncluster:\n  name: Prod_East\n  version: v1.0\n  work_dir: "
      "var/lib\n  log_dir: /var/log/cairn\nmasters: [{host: 10.0.0.1}]\n");
  EXPECT_EQ(at(only(l, "cluster.name")),
            "3:9: cluster.name: is not a valid cluster name: only lower-case letters, digits and "
            "'-' are allowed (got 'Prod_East'; expected 1..63 of a-z, 0-9 and '-', not starting or "
            "ending with '-', such as prod-east)");
  EXPECT_EQ(at(only(l, "cluster.version")),
            "4:12: cluster.version: is not a semantic version: it needs exactly three numbers "
            "(got 'v1.0'; expected MAJOR.MINOR.PATCH such as 1.0.0 or 1.1.0-rc.1)");
  EXPECT_EQ(only(l, "cluster.work_dir").line, 5);
  EXPECT_EQ(l.diagnostics.size(), 3u) << all(l);
  // Numbers YAML would read as such are still fine as text.
  auto numeric = load(
      "apiVersion: cairn/v1\ncluster: {name: 2024, version: 1.0.0}\nmasters: "
      "[{host: 10.0.0.1}]\n");
  EXPECT_TRUE(numeric.ok()) << all(numeric);
}

TEST(LoadSpec, SshDockerAndPorts) {
  auto l = load(with(R"(ssh: {user: Admin, port: 65536}
docker: {socket: docker.sock}
ports: {master: 0, agent: 5050, router_http: 5050, router_https: 2181}
)"));
  EXPECT_NE(only(l, "ssh.user").message.find("is not a valid user name"), std::string::npos);
  EXPECT_EQ(at(only(l, "ssh.port")),
            "4:26: ssh.port: is not a valid port (got '65536'; expected 1..65535)");
  EXPECT_NE(only(l, "docker.socket").message.find("absolute path"), std::string::npos);
  EXPECT_EQ(at(only(l, "ports.master")),
            "6:17: ports.master: is not a valid port (got '0'; expected 1..65535)");
  // master kept its default 5050 after its invalid value.
  EXPECT_EQ(at(only(l, "ports.agent")),
            "6:27: ports.agent: port 5050 is also ports.master (expected a different port for "
            "each daemon: they may share a host)");
  EXPECT_EQ(at(only(l, "ports.router_http")),
            "6:46: ports.router_http: port 5050 is also ports.master (expected a different port "
            "for each daemon: they may share a host)");
  // ZooKeeper runs on the masters here, so its client port is taken too.
  EXPECT_EQ(only(l, "ports.router_https").message,
            "port 2181 is also zookeeper.client_port (its default) (expected a different port for "
            "each daemon: they may share a host)");
  EXPECT_EQ(l.diagnostics.size(), 7u) << all(l);

  auto zk_elsewhere = load(with("zookeeper: {servers: [10.9.9.9]}\nports: {router_https: 2181}\n"));
  EXPECT_TRUE(zk_elsewhere.ok()) << all(zk_elsewhere);
  auto zk_written = load(with("zookeeper: {client_port: 5051}\n"));
  EXPECT_EQ(at(only(zk_written, "zookeeper.client_port")),
            "4:26: zookeeper.client_port: port 5051 is also ports.agent (its default) (expected "
            "a different port for each daemon: they may share a host)");
}

TEST(LoadSpec, ManyProblemsAtOnceSortedByPosition) {
  auto l = load(R"(apiVersion: cairn/v9
cluster: {name: BAD, version: x}
masters: [{host: 10.0.0.1}, {host: 10.0.0.2}]
agents: [{host: 10.0.1.1, role: edge}]
roles: [{name: "*"}]
ports: {agent: 0}
dockr: {}
)");
  ASSERT_EQ(l.diagnostics.size(), 8u) << all(l);
  const char* paths[] = {"apiVersion",     "cluster.name",  "cluster.version", "masters",
                         "agents[0].role", "roles[0].name", "ports.agent",     "dockr"};
  for (size_t i = 0; i < 8; ++i)
    EXPECT_EQ(l.diagnostics[i].path, paths[i]) << all(l);
  for (size_t i = 1; i < l.diagnostics.size(); ++i) {
    EXPECT_LE(l.diagnostics[i - 1].line, l.diagnostics[i].line);
  }
  EXPECT_FALSE(l.truncated);
}

TEST(LoadSpec, AliasesWork) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: c, version: 1.0.0}
masters: [{host: 10.0.0.1}]
agents:
  - &worker {host: 10.0.1.1, resources: "cpus:8"}
  - {host: 10.0.1.2, resources: "cpus:8"}
roles: &roles [{name: prod}]
)");
  EXPECT_TRUE(l.ok()) << all(l);
}

TEST(LoadSpec, AliasAmplificationIsBounded) {
  // A 20,000-key mapping aliased by 20,000 agents: 400 million keys if walked.
  std::string keys;
  for (int i = 0; i < 20000; ++i)
    keys += "k" + std::to_string(i) + ": 1, ";
  std::string agents;
  for (int i = 0; i < 20000; ++i)
    agents += std::string(i ? ", " : "") + "*x";
  auto l = load(with("x: &x {" + keys + "host: 10.0.0.1}\nagents: [" + agents + "]\n"));
  EXPECT_FALSE(l.ok());
  EXPECT_TRUE(l.truncated);
  EXPECT_EQ(l.diagnostics.size(), NodeReader::kMaxDiagnostics);
}

TEST(LoadSpec, ProblemsAreCappedAndSaySo) {
  std::string agents;
  for (int i = 0; i < 2000; ++i)
    agents += "  - {host: 10.0.1.1}\n";
  auto l = load(with("agents:\n" + agents));
  EXPECT_TRUE(l.truncated);
  EXPECT_EQ(l.diagnostics.size(), NodeReader::kMaxDiagnostics);
}

TEST(LoadSpec, WalkBudgetStopsWithOneDiagnostic) {
  std::vector<Diagnostic> out;
  NodeReader reader("c.yaml", out);
  const YAML::Node node = YAML::Load("[1]");
  EXPECT_TRUE(reader.visit(node, NodeReader::kMaxVisits));
  EXPECT_FALSE(reader.visit(node, 1));
  EXPECT_TRUE(reader.stopped());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to_string(),
            "c.yaml:1:1: the spec is too large once its YAML aliases are expanded (more than "
            "1000000 values; expected fewer repeated aliases)");
}

TEST(LoadSpec, HostileTextNeverCrashes) {
  const std::string cases[] = {
      std::string(100000, '['),
      std::string("\xff\xfe\x00garbage", 10),
      "apiVersion: !!binary AAAA\nmasters: *undefined\n",
      "apiVersion: cairn/v1\ncluster: {name: c, version: 1." + std::string(500000, '1') + ".0}\n",
      "cluster: {name: " + std::string(500000, 'a') + "}\n",
      "masters: [{host: " + std::string(500000, 'a') + "}]\n",
      "zookeeper: {path: /" + std::string(500000, 'a') + "}\n",
      "agents: [{host: 10.0.0.1, resources: \"" + std::string(100000, '[') + "\"}]\n",
      "? ? ? ? a\n",
      "&a [*a]\n",
      "a: &a\n  b: *a\n",
      "!<tag:yaml.org,2002:map> {masters: !!seq [!!map {host: !!str 10.0.0.1}]}\n",
  };
  for (const std::string& text : cases) {
    auto l = load(text);
    EXPECT_FALSE(l.ok()) << text.substr(0, 60);
    for (const auto& d : l.diagnostics)
      EXPECT_FALSE(d.message.empty());
  }
}

TEST(LoadSpec, DisplayedExampleIsTheProductionExample) {
  // `cairn spec example` prints production.yaml (embedded by cli/CMakeLists.txt).
  const std::string text = source_file("config-schema/examples/production.yaml");
  ASSERT_FALSE(text.empty());
  auto l = load_spec_text(text, "example.yaml", no_dns_options(false));
  EXPECT_TRUE(l.ok()) << all(l);
}

}  // namespace
}  // namespace cairn::spec
