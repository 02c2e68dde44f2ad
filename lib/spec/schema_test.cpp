// config-schema/cluster.schema.json and the C++ validator describe the same
// format; these tests fail when one changes without the other.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "lib/spec/spec_keys.hpp"
#include "lib/spec/spec_testing.hpp"

namespace cairn::spec {
namespace {

using nlohmann::json;

json read_schema() {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/config-schema/cluster.schema.json");
  EXPECT_TRUE(in.good());
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Calls visit(path, node) for every property, paths written as the
// validator writes them ("masters[].host").
template <typename Visit>
void walk(const json& node, const std::string& path, Visit&& visit) {
  if (node.contains("properties")) {
    for (auto it = node["properties"].begin(); it != node["properties"].end(); ++it) {
      const std::string p = path.empty() ? it.key() : path + "." + it.key();
      visit(p, it.value());
      walk(it.value(), p, visit);
    }
  }
  if (node.contains("items")) walk(node["items"], path + "[]", visit);
}

TEST(Schema, IsDraft2020JsonWithNoUnknownKeysAnywhere) {
  const json schema = read_schema();
  ASSERT_FALSE(schema.is_discarded());
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  std::vector<std::pair<std::string, json>> objects = {{"", schema}};
  walk(schema, "", [&](const std::string& path, const json& node) {
    EXPECT_TRUE(node.contains("description")) << path << " has no description";
    if (node.value("type", "") == "object") objects.emplace_back(path, node);
    if (node.contains("items") && node["items"].value("type", "") == "object") {
      objects.emplace_back(path + "[]", node["items"]);
    }
  });
  for (const auto& [path, node] : objects) {
    EXPECT_EQ(node.value("additionalProperties", true), false) << path;
  }
}

TEST(Schema, KnowsTheSameKeysAsTheValidator) {
  std::set<std::string> from_schema;
  walk(read_schema(), "", [&](const std::string& path, const json&) { from_schema.insert(path); });
  std::set<std::string> from_validator;
  for (const std::string& p : known_key_paths()) {
    from_validator.insert(p);
    // "security.tls.enabled" implies the keys "security" and "security.tls".
    for (size_t dot = p.find('.'); dot != std::string::npos; dot = p.find('.', dot + 1)) {
      std::string prefix = p.substr(0, dot);
      if (prefix.ends_with("[]")) prefix.resize(prefix.size() - 2);
      from_validator.insert(prefix);
    }
  }
  EXPECT_EQ(from_schema, from_validator);
  // And each section's key list is what keys_of() gives the reader.
  EXPECT_EQ(keys_of("security.tls").size(), 3u);
  EXPECT_TRUE(keys_of("no-such-section").empty());
}

TEST(Schema, DefaultsAreTheValidatorsDefaults) {
  auto l = testing::load(testing::kMinimal);
  ASSERT_TRUE(l.ok()) << testing::all(l);
  const ClusterSpec& s = *l.spec;
  const AgentEntry agent;
  const RoleEntry role;
  const std::map<std::string, json> expected = {
      {"cluster.work_dir", s.cluster.work_dir},
      {"cluster.log_dir", s.cluster.log_dir},
      {"ssh.user", s.ssh.user},
      {"ssh.port", s.ssh.port},
      {"zookeeper.client_port", s.zookeeper.client_port},
      {"zookeeper.path", s.zookeeper.path},
      {"zookeeper.session_timeout", s.zookeeper.session_timeout.to_string()},
      {"agents[].role", agent.role == AgentRole::kPrivate ? "private" : "public"},
      {"roles[].weight", role.weight},
      {"docker.enabled", s.docker.enabled},
      {"docker.socket", s.docker.socket},
      {"security.tls.enabled", s.security.tls.enabled},
      {"security.authentication.agents", s.security.authentication.agents},
      {"security.authentication.frameworks", s.security.authentication.frameworks},
      {"ports.master", s.ports.master},
      {"ports.agent", s.ports.agent},
      {"ports.router_http", s.ports.router_http},
      {"ports.router_https", s.ports.router_https},
  };
  std::map<std::string, json> in_schema;
  walk(read_schema(), "", [&](const std::string& path, const json& node) {
    if (node.contains("default")) in_schema[path] = node["default"];
  });
  EXPECT_EQ(in_schema, expected);
}

TEST(Schema, RequiredKeysAndEnumsMatch) {
  const json schema = read_schema();
  const auto required = [](const json& node) {
    return node.value("required", std::vector<std::string>{});
  };
  const json& p = schema["properties"];
  EXPECT_EQ(required(schema), (std::vector<std::string>{"apiVersion", "cluster", "masters"}));
  EXPECT_EQ(required(p["cluster"]), (std::vector<std::string>{"name", "version"}));
  EXPECT_EQ(required(p["masters"]["items"]), std::vector<std::string>{"host"});
  EXPECT_EQ(required(p["agents"]["items"]), std::vector<std::string>{"host"});
  EXPECT_EQ(required(p["roles"]["items"]), std::vector<std::string>{"name"});
  EXPECT_EQ(p["apiVersion"]["const"], "cairn/v1");
  EXPECT_EQ(p["agents"]["items"]["properties"]["role"]["enum"], json({"private", "public"}));
  EXPECT_EQ(p["masters"]["maxItems"], 7);
}

}  // namespace
}  // namespace cairn::spec
