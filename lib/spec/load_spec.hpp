// Loading a cluster spec: YAML text in, a validated ClusterSpec or every
// problem at once out.
//
// Validation covers YAML syntax, unknown keys (with "did you mean"), types,
// required keys, master and ZooKeeper counts, duplicate hosts, host syntax
// and resolution, resource/attribute/role syntax, weights, durations,
// versions, ports, and the TLS, credential, ACL and rate-limit files the
// spec refers to. docs/cluster-spec.md documents every key.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/spec/cluster_spec.hpp"
#include "lib/spec/diagnostic.hpp"

namespace cairn::spec {

struct ValidationOptions {
  // Check that files named by the spec exist and hold valid JSON. Callers
  // that render configuration for other machines switch this off.
  bool check_files = true;
  // Relative file paths in the spec resolve against this folder (the spec
  // file's own folder when loading a file).
  std::string base_dir = ".";
  // Whether a host name (not an IP literal) resolves. Empty: getaddrinfo.
  std::function<bool(const std::string& host)> resolve;
  // Larger files are refused before parsing.
  size_t max_bytes = 4 * 1024 * 1024;
};

struct SpecLoad {
  std::optional<ClusterSpec> spec;      // set only when there is no diagnostic
  std::vector<Diagnostic> diagnostics;  // sorted by position
  bool ok() const { return spec.has_value(); }
};

SpecLoad load_spec_text(std::string_view text, const std::string& file_name,
                        const ValidationOptions& options = {});
SpecLoad load_spec_file(const std::string& path, ValidationOptions options = {});

// Every key the validator accepts, as paths such as "cluster.name" and
// "masters[].host"; the schema test compares them with cluster.schema.json.
std::vector<std::string> known_key_paths();

}  // namespace cairn::spec
