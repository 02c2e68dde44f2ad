// apiVersion, cluster, ssh and docker: single values, each with its own
// syntax rule.
#include <utility>

#include "lib/spec/section_readers.hpp"
#include "lib/spec/spec_keys.hpp"
#include "lib/spec/value_rules.hpp"

namespace cairn::spec {
void read_api_version(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  auto version = context.reader.text(top, "apiVersion", Need::kRequired, "cairn/v1");
  if (version && *version != "cairn/v1") {
    context.reader.error(
        top, "apiVersion",
        "is not a supported format version (got " + quote_value(*version) + "; expected cairn/v1)");
  } else if (version) {
    spec.api_version = *version;
  }
}

void read_cluster(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto cluster = reader.section(top, "cluster", Need::kRequired, keys_of("cluster"),
                                      "a mapping with name and version");
  if (!cluster) return;
  ClusterSection& c = spec.cluster;
  if (auto name = reader.text(*cluster, "name", Need::kRequired, "a cluster name such as prod-east",
                              check_cluster_name)) {
    c.name = std::move(*name);
  }
  if (auto text = reader.text(*cluster, "version", Need::kRequired,
                              "the Cairn version to run, such as 1.0.0")) {
    auto version = SemanticVersion::parse(*text);
    if (version) {
      c.version = std::move(*version);
    } else {
      reader.error(*cluster, "version", version.error());
    }
  }
  if (auto dir = reader.text(*cluster, "work_dir", Need::kOptional,
                             "an absolute path such as /var/lib/cairn", check_absolute_path)) {
    c.work_dir = std::move(*dir);
  }
  if (auto dir = reader.text(*cluster, "log_dir", Need::kOptional,
                             "an absolute path such as /var/log/cairn", check_absolute_path)) {
    c.log_dir = std::move(*dir);
  }
}

void read_ssh(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto ssh = reader.section(top, "ssh", Need::kOptional, keys_of("ssh"),
                                  "a mapping with user, port and key_file");
  if (!ssh) return;
  if (auto user = reader.text(*ssh, "user", Need::kOptional, "a user name such as admin",
                              check_user_name)) {
    spec.ssh.user = std::move(*user);
  }
  if (auto port = reader.integer(*ssh, "port", "port", 1, 65535)) {
    spec.ssh.port = static_cast<uint16_t>(*port);
  }
  // The key lives on the machine that runs the installer, which checks it.
  if (auto key = reader.text(*ssh, "key_file", Need::kOptional,
                             "the path of a private key such as ~/.ssh/id_ed25519")) {
    spec.ssh.key_file = std::move(*key);
  }
}

void read_docker(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto docker =
      reader.section(top, "docker", Need::kOptional, keys_of("docker"), "a mapping with enabled");
  if (!docker) return;
  if (auto enabled = reader.boolean(*docker, "enabled")) spec.docker.enabled = *enabled;
  if (auto socket = reader.text(*docker, "socket", Need::kOptional,
                                "the Docker daemon's socket such as /var/run/docker.sock",
                                check_absolute_path)) {
    spec.docker.socket = std::move(*socket);
  }
}

}  // namespace cairn::spec
