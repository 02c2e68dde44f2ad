#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "lib/spec/host_identity.hpp"
#include "lib/spec/load_spec.hpp"
#include "lib/spec/summary.hpp"

namespace cairn::spec {
namespace {

// No DNS in tests: only these names "resolve".
ValidationOptions options(bool check_files = false) {
  ValidationOptions o;
  o.check_files = check_files;
  o.resolve = [](const std::string& host) {
    return host == "m1.example.com" || host == "zk1.example.com" || host == "localhost";
  };
  return o;
}

SpecLoad load(const std::string& text, bool check_files = false) {
  return load_spec_text(text, "cluster.yaml", options(check_files));
}

constexpr const char* kMinimal = R"(apiVersion: cairn/v1
cluster: {name: c1, version: 1.0.0}
masters: [{host: 10.0.0.1}]
)";

// Every diagnostic printed, for failure messages.
std::string all(const SpecLoad& l) {
  std::string out;
  for (const auto& d : l.diagnostics)
    out += d.to_string() + "\n";
  return out;
}

// The one diagnostic for `path`; fails the test if there is not exactly one.
Diagnostic only(const SpecLoad& l, const std::string& path) {
  std::vector<Diagnostic> found;
  for (const auto& d : l.diagnostics) {
    if (d.path == path) found.push_back(d);
  }
  EXPECT_EQ(found.size(), 1u) << "diagnostics for " << path << ":\n" << all(l);
  return found.empty() ? Diagnostic{} : found[0];
}

TEST(Spec, MinimalSpecGetsDefaults) {
  auto l = load(kMinimal);
  ASSERT_TRUE(l.ok()) << all(l);
  const ClusterSpec& s = *l.spec;
  EXPECT_EQ(s.name, "c1");
  EXPECT_EQ(s.quorum(), 1u);
  EXPECT_EQ(s.zookeeper.servers, std::vector<std::string>{"10.0.0.1"});
  EXPECT_TRUE(s.zookeeper.servers_derived);
  EXPECT_EQ(s.zookeeper_url(), "zk://10.0.0.1:2181/mesos");
  EXPECT_EQ(s.zookeeper.session_timeout, Duration::seconds(10));
  EXPECT_EQ(s.ports.master, 5050);
  EXPECT_EQ(s.ports.agent, 5051);
  EXPECT_EQ(s.work_dir, "/var/lib/cairn");
  EXPECT_EQ(s.ssh.port, 22);
  EXPECT_FALSE(s.docker.enabled);
  EXPECT_FALSE(s.security.tls.enabled);
}

TEST(Spec, ExamplesValidate) {
  const std::string dir = std::string(CAIRN_SOURCE_DIR) + "/config-schema/examples/";
  auto single = load_spec_file(dir + "single-node.yaml", options(true));
  ASSERT_TRUE(single.ok()) << all(single);
  EXPECT_EQ(single.spec->agents.size(), 1u);
  EXPECT_EQ(single.spec->agents[0].resources->cpus(), 2.0);
  auto production = load_spec_file(dir + "production.yaml", options(false));
  ASSERT_TRUE(production.ok()) << all(production);
  const ClusterSpec& p = *production.spec;
  EXPECT_EQ(p.quorum(), 2u);
  EXPECT_EQ(p.zookeeper_url(), "zk://10.0.0.11:2181,10.0.0.12:2181,10.0.0.13:2181/mesos");
  EXPECT_EQ(p.public_agents(), 1u);
  EXPECT_EQ(p.agents[2].default_role(), "slave_public");
  EXPECT_EQ(p.weights_flag(), "prod=3,dev=1");
  EXPECT_TRUE(p.security.tls.enabled);
  const std::string summary = summarize(p);
  EXPECT_NE(summary.find("3 (quorum 2)"), std::string::npos) << summary;
  EXPECT_NE(summary.find("2 private, 1 public"), std::string::npos) << summary;
}

TEST(Spec, YamlSyntaxErrorsAreLocated) {
  auto l = load("apiVersion: cairn/v1\ncluster: {name: c1\nmasters: []\n");
  ASSERT_FALSE(l.ok());
  ASSERT_EQ(l.diagnostics.size(), 1u);
  EXPECT_GT(l.diagnostics[0].line, 0);
  EXPECT_NE(l.diagnostics[0].message.find("YAML syntax error"), std::string::npos);
  EXPECT_TRUE(l.diagnostics[0].to_string().starts_with("cluster.yaml:")) << all(l);
}

TEST(Spec, EmptyAndNonMappingDocuments) {
  EXPECT_NE(load("").diagnostics.at(0).message.find("empty"), std::string::npos);
  EXPECT_NE(load("# only a comment\n").diagnostics.at(0).message.find("empty"), std::string::npos);
  auto list = load("- a\n- b\n");
  EXPECT_NE(list.diagnostics.at(0).message.find("must be a mapping"), std::string::npos);
}

TEST(Spec, UnknownKeysWithDidYouMean) {
  auto l = load(std::string(kMinimal) + "zookeper: {}\ndocker: {enabeld: true}\nbanana: 1\n");
  ASSERT_FALSE(l.ok());
  auto zk = only(l, "zookeper");
  EXPECT_EQ(zk.line, 4);
  EXPECT_EQ(zk.column, 1);
  EXPECT_NE(zk.message.find("did you mean 'zookeeper'?"), std::string::npos);
  EXPECT_NE(only(l, "docker.enabeld").message.find("did you mean 'enabled'?"), std::string::npos);
  EXPECT_NE(only(l, "banana").message.find("expected one of: apiVersion, cluster"),
            std::string::npos);
}

TEST(Spec, RequiredKeysAndApiVersion) {
  auto l = load("cluster: {name: c1}\n");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(only(l, "apiVersion").message.find("is required"), std::string::npos);
  EXPECT_NE(only(l, "cluster.version").message.find("is required"), std::string::npos);
  EXPECT_NE(only(l, "masters").message.find("is required"), std::string::npos);
  auto v2 = load(std::string(kMinimal).replace(12, 8, "cairn/v2"));
  EXPECT_NE(only(v2, "apiVersion").message.find("got 'cairn/v2'; expected cairn/v1"),
            std::string::npos);
}

TEST(Spec, DuplicateKeysAreReported) {
  auto l = load(std::string(kMinimal) + "ports: {master: 1, master: 2}\n");
  auto d = only(l, "ports.master");
  EXPECT_NE(d.message.find("more than once"), std::string::npos);
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.column, 20);
}

TEST(Spec, TypesAreChecked) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: [a], version: 1.0.0}
masters: {host: 10.0.0.1}
agents: [{host: 10.0.1.1}, "not-a-map"]
docker: {enabled: maybe}
ports: {master: fifty}
)");
  EXPECT_NE(only(l, "cluster.name").message.find("must be text (got a list"), std::string::npos);
  EXPECT_NE(only(l, "masters").message.find("must be a list (got a mapping"), std::string::npos);
  EXPECT_NE(only(l, "agents[1]").message.find("must be a mapping"), std::string::npos);
  EXPECT_NE(only(l, "docker.enabled").message.find("true or false (got 'maybe')"),
            std::string::npos);
  EXPECT_NE(only(l, "ports.master").message.find("got 'fifty'; expected 1..65535"),
            std::string::npos);
}

TEST(Spec, MasterCountMustBeOddAndAtMostSeven) {
  for (int n : {1, 3, 5, 7}) {
    std::string masters;
    for (int i = 0; i < n; ++i)
      masters += "  - {host: 10.0.0." + std::to_string(i + 1) + "}\n";
    auto l = load("apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmasters:\n" + masters);
    EXPECT_TRUE(l.ok()) << n << "\n" << all(l);
    EXPECT_EQ(l.spec->quorum(), static_cast<size_t>(n / 2 + 1));
  }
  for (int n : {0, 2, 4, 9}) {
    std::string masters;
    for (int i = 0; i < n; ++i)
      masters += "  - {host: 10.0.0." + std::to_string(i + 1) + "}\n";
    auto l = load("apiVersion: cairn/v1\ncluster: {name: c, version: 1.0.0}\nmasters:" +
                  (n ? "\n" + masters : std::string(" []\n")));
    EXPECT_NE(only(l, "masters").message.find("has " + std::to_string(n) + " masters"),
              std::string::npos)
        << all(l);
  }
}

TEST(Spec, ZooKeeperServersMustBeOddAndUnique) {
  auto l =
      load(std::string(kMinimal) +
           "zookeeper: {servers: [10.0.0.1, 10.0.0.2], session_timeout: 10sec, path: mesos}\n");
  EXPECT_NE(only(l, "zookeeper.servers").message.find("has 2 servers"), std::string::npos);
  EXPECT_NE(only(l, "zookeeper.session_timeout").message.find("unknown unit 'sec'"),
            std::string::npos);
  EXPECT_NE(only(l, "zookeeper.path").message.find("got 'mesos'"), std::string::npos);
  auto dup =
      load(std::string(kMinimal) + "zookeeper: {servers: [10.0.0.1, zk1.example.com, 10.0.0.1]}\n");
  auto d = only(dup, "zookeeper.servers[2]");
  EXPECT_NE(d.message.find("listed twice (also at zookeeper.servers[0]"), std::string::npos);
  auto range = load(std::string(kMinimal) + "zookeeper: {session_timeout: 20mins}\n");
  EXPECT_NE(only(range, "zookeeper.session_timeout").message.find("1secs..10mins"),
            std::string::npos);
}

TEST(Spec, HostsMustBeAddressesOrResolvableNames) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: c, version: 1.0.0}
masters: [{host: m1.example.com}, {host: "bad host"}, {host: unknown.example.com}]
agents: [{host: "::1"}, {host: 10.0.1.1, hostname: "-x-"}]
)");
  EXPECT_TRUE(std::none_of(l.diagnostics.begin(), l.diagnostics.end(),
                           [](const Diagnostic& d) { return d.path == "masters[0].host"; }));
  EXPECT_NE(only(l, "masters[1].host").message.find("not an IP address or host name"),
            std::string::npos);
  EXPECT_NE(only(l, "masters[2].host").message.find("does not resolve"), std::string::npos);
  EXPECT_NE(only(l, "agents[1].hostname").message.find("not a valid host name"), std::string::npos);
  EXPECT_EQ(l.diagnostics.size(), 3u) << all(l);
}

TEST(Spec, DuplicateHostsInOneList) {
  auto l = load(R"(apiVersion: cairn/v1
cluster: {name: c, version: 1.0.0}
masters: [{host: 10.0.0.1}]
agents: [{host: 10.0.1.1}, {host: 10.0.1.2}, {host: 10.0.1.1}, {host: 10.0.0.1}]
)");
  auto d = only(l, "agents[2]");
  EXPECT_EQ(d.line, 4);
  EXPECT_NE(d.message.find("also at agents[0]"), std::string::npos);
  EXPECT_EQ(l.diagnostics.size(), 1u) << "a master may also be an agent:\n" << all(l);
}

TEST(Spec, AgentsResourcesAttributesAndRoles) {
  auto ok = load(std::string(kMinimal) + R"(agents:
  - {host: 10.0.1.1, resources: "cpus:4;mem:8192;ports:[31000-32000]", attributes: "rack:r1"}
  - {host: 10.0.2.1, role: public, resources: "cpus:2"}
)");
  ASSERT_TRUE(ok.ok()) << all(ok);
  EXPECT_EQ(ok.spec->agents[0].resources->mem(), 8192.0);
  ASSERT_NE(ok.spec->agents[0].attributes.get("rack"), nullptr);
  // A public agent's resources default to the slave_public role.
  EXPECT_EQ(ok.spec->agents[1].resources->reserved("slave_public").cpus(), 2.0);

  auto bad = load(std::string(kMinimal) + R"(agents:
  - {host: 10.0.1.1, role: edge, resources: "cpus:-1", attributes: "rack", work_dir: relative}
)");
  EXPECT_NE(only(bad, "agents[0].role").message.find("expected private or public"),
            std::string::npos);
  EXPECT_NE(only(bad, "agents[0].resources").message.find("cpus:-1"), std::string::npos);
  EXPECT_NE(only(bad, "agents[0].attributes").message.find("rack"), std::string::npos);
  EXPECT_NE(only(bad, "agents[0].work_dir").message.find("absolute path"), std::string::npos);
}

TEST(Spec, RoleNamesAndWeights) {
  auto l = load(std::string(kMinimal) + R"(roles:
  - {name: prod, weight: 2.5}
  - {name: "*"}
  - {name: slave_public}
  - {name: "-bad"}
  - {name: prod}
  - {name: dev, weight: 0}
  - {name: qa, weight: heavy}
  - {weight: 1}
)");
  EXPECT_NE(only(l, "roles[1].name").message.find("reserved"), std::string::npos);
  EXPECT_NE(only(l, "roles[2].name").message.find("reserved"), std::string::npos);
  EXPECT_FALSE(only(l, "roles[3].name").message.empty());
  EXPECT_NE(only(l, "roles[4].name").message.find("declared twice (also at roles[0])"),
            std::string::npos);
  EXPECT_NE(only(l, "roles[5].weight").message.find("number > 0"), std::string::npos);
  EXPECT_NE(only(l, "roles[6].weight").message.find("got 'heavy'"), std::string::npos);
  EXPECT_NE(only(l, "roles[7].name").message.find("is required"), std::string::npos);
}

TEST(Spec, VersionAndNameRules) {
  for (const char* good : {"1.0.0", "0.1.0", "10.20.30", "1.1.0-rc.1", "1.0.0+build.5"}) {
    auto l = load(std::string(kMinimal).replace(std::string(kMinimal).find("1.0.0"), 5, good));
    EXPECT_TRUE(l.ok()) << good << "\n" << all(l);
  }
  for (const char* bad : {"1.0", "v1.0.0", "01.0.0", "1.0.0-", "latest"}) {
    auto l = load(std::string(kMinimal).replace(std::string(kMinimal).find("1.0.0"), 5, bad));
    EXPECT_NE(only(l, "cluster.version").message.find("semantic version"), std::string::npos)
        << bad;
  }
  for (const char* bad : {"Prod", "-a", "a-", "a_b",
                          "toolongtoolongtoolongtoolongtoolongtoolongtoolongtoolongtoolong1"}) {
    auto l = load(std::string(kMinimal).replace(std::string(kMinimal).find("c1"), 2, bad));
    EXPECT_NE(only(l, "cluster.name").message.find("not a valid cluster name"), std::string::npos)
        << bad;
  }
}

TEST(Spec, PortsInRangeAndDistinct) {
  auto l = load(std::string(kMinimal) +
                "ports: {master: 0, agent: 5050, router_http: 5050}\nssh: {port: 65536}\n");
  EXPECT_NE(only(l, "ports.master").message.find("got '0'"), std::string::npos);
  EXPECT_NE(only(l, "ports.agent").message.find("also used by ports.master"), std::string::npos);
  EXPECT_NE(only(l, "ports.router_http").message.find("also used by ports.master"),
            std::string::npos);
  EXPECT_NE(only(l, "ssh.port").message.find("1..65535"), std::string::npos);
}

class SpecFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("cairn-spec-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
    return (dir_ / name).string();
  }
  SpecLoad load_with_files(const std::string& extra) {
    const std::string path = write("cluster.yaml", std::string(kMinimal) + extra);
    return load_spec_file(path, options(true));
  }
  std::filesystem::path dir_;
};

TEST_F(SpecFiles, TlsFilesMustExistWhenEnabled) {
  auto missing = load_with_files("security: {tls: {enabled: true, ca_cert: ca.crt}}\n");
  EXPECT_NE(only(missing, "security.tls.ca_cert").message.find("does not exist"),
            std::string::npos);
  EXPECT_NE(only(missing, "security.tls.ca_key").message.find("is required"), std::string::npos);
  write("ca.crt", "pem");
  write("ca.key", "pem");
  // Relative paths resolve against the spec's folder.
  auto ok = load_with_files("security: {tls: {enabled: true, ca_cert: ca.crt, ca_key: ca.key}}\n");
  EXPECT_TRUE(ok.ok()) << all(ok);
  // Disabled TLS does not need the files.
  EXPECT_TRUE(load_with_files("security: {tls: {enabled: false}}\n").ok());
}

TEST_F(SpecFiles, CredentialsAclsAndRateLimitsMustHaveTheMesosShape) {
  write("creds.json", R"({"credentials":[{"principal":"ops","secret":"s"}]})");
  write("acls.json",
        R"({"permissive":false,"register_frameworks":[{"principals":{"type":"ANY"}}]})");
  write("limits.json", R"({"limits":[{"principal":"fw","qps":10}]})");
  auto ok = load_with_files(
      "security: {authentication: {frameworks: true, credentials: creds.json}, acls: acls.json, "
      "rate_limits: limits.json}\n");
  EXPECT_TRUE(ok.ok()) << all(ok);

  write("bad-creds.json", R"({"credentials":[{"principal":"ops"}]})");
  write("bad-acls.json", "{not json");
  write("bad-limits.json", R"({"limits":[{"principal":"fw","qps":-1}]})");
  auto bad = load_with_files(
      "security: {authentication: {agents: true, credentials: bad-creds.json}, acls: "
      "bad-acls.json, rate_limits: bad-limits.json}\n");
  EXPECT_NE(only(bad, "security.authentication.credentials").message.find("\"secret\""),
            std::string::npos);
  EXPECT_NE(only(bad, "security.acls").message.find("not valid JSON"), std::string::npos);
  EXPECT_NE(only(bad, "security.rate_limits").message.find("qps must be a number > 0"),
            std::string::npos);
  auto need = load_with_files("security: {authentication: {agents: true}}\n");
  EXPECT_NE(only(need, "security.authentication.credentials").message.find("is required"),
            std::string::npos);
}

TEST_F(SpecFiles, UnreadableSpecFiles) {
  auto missing = load_spec_file((dir_ / "nope.yaml").string(), options());
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_NE(missing.diagnostics[0].to_string().find("nope.yaml: cannot read the file"),
            std::string::npos);
  auto directory = load_spec_file(dir_.string(), options());
  EXPECT_NE(directory.diagnostics.at(0).message.find("is a directory"), std::string::npos);
  ValidationOptions small = options();
  small.max_bytes = 10;
  auto big = load_spec_file(write("big.yaml", kMinimal), small);
  EXPECT_NE(big.diagnostics.at(0).message.find("expected at most 10"), std::string::npos);
}

TEST(Spec, ReportsManyErrorsAtOnceSortedByLine) {
  auto l = load(R"(apiVersion: cairn/v9
cluster: {name: BAD, version: x}
masters: [{host: 10.0.0.1}, {host: 10.0.0.2}]
roles: [{name: "*"}]
ports: {agent: 0}
)");
  ASSERT_GE(l.diagnostics.size(), 5u) << all(l);
  for (size_t i = 1; i < l.diagnostics.size(); ++i) {
    EXPECT_LE(l.diagnostics[i - 1].line, l.diagnostics[i].line);
  }
}

TEST(Spec, HostileInputDoesNotCrash) {
  std::string deep(100000, '[');
  EXPECT_FALSE(load(deep).ok());
  std::string aliases =
      "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b]\nmasters: [*c, *c, *c]\n";
  EXPECT_FALSE(load(aliases).ok());
  EXPECT_FALSE(load(std::string("\xff\xfe\x00garbage", 10)).ok());
  EXPECT_FALSE(load("apiVersion: !!binary AAAA\nmasters: *undefined\n").ok());
}

TEST(Spec, HostIdentityFindsThisHostsEntries) {
  auto l = load(std::string(kMinimal) + "agents: [{host: 10.0.1.1}, {host: 10.0.0.1}]\n");
  ASSERT_TRUE(l.ok()) << all(l);
  auto both = find_host(*l.spec, {"127.0.0.1", "10.0.0.1"});
  EXPECT_EQ(both.master, 0u);
  EXPECT_EQ(both.agent, 1u);
  auto none = find_host(*l.spec, {"192.168.1.1"});
  EXPECT_FALSE(none.master.has_value());
  EXPECT_FALSE(none.agent.has_value());
  auto local = local_identities();
  EXPECT_NE(std::find(local.begin(), local.end(), "127.0.0.1"), local.end());
}

// Walks the JSON Schema and lists property paths the way known_key_paths() does.
void schema_paths(const nlohmann::json& node, const std::string& path, std::set<std::string>& out) {
  if (node.contains("properties")) {
    for (auto it = node["properties"].begin(); it != node["properties"].end(); ++it) {
      const std::string p = path.empty() ? it.key() : path + "." + it.key();
      out.insert(p);
      schema_paths(it.value(), p, out);
    }
  }
  if (node.contains("items")) schema_paths(node["items"], path + "[]", out);
}

TEST(Spec, JsonSchemaAndValidatorKnowTheSameKeys) {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/config-schema/cluster.schema.json");
  ASSERT_TRUE(in.good());
  nlohmann::json schema = nlohmann::json::parse(in);
  std::set<std::string> from_schema;
  schema_paths(schema, "", from_schema);
  std::set<std::string> from_validator;
  for (const auto& p : known_key_paths())
    from_validator.insert(p);
  // Sections are keys too in the schema's view.
  for (const auto& p : known_key_paths()) {
    for (size_t dot = p.find('.'); dot != std::string::npos; dot = p.find('.', dot + 1)) {
      std::string prefix = p.substr(0, dot);
      if (prefix.ends_with("[]")) prefix.resize(prefix.size() - 2);
      from_validator.insert(prefix);
    }
  }
  EXPECT_EQ(from_schema, from_validator);
}

}  // namespace
}  // namespace cairn::spec
