// Loading a cluster spec: YAML text in; a validated ClusterSpec, or every
// problem at once, out.
//
// Every daemon and the installer call load_spec_file() (default path
// /etc/cairn/cluster.yaml) and refuse to start on diagnostics. Validation
// covers YAML syntax and encoding, unknown keys (with "did you mean"), types,
// required keys, master and ZooKeeper counts, duplicate hosts, host syntax
// and resolution, Mesos resource/attribute/role syntax, weights, durations,
// versions, ports and the files the spec refers to. docs/cluster-spec.md
// describes every key and rule. Diagnostics come sorted by position.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/spec/cluster_spec.hpp"
#include "lib/spec/diagnostic.hpp"
#include "lib/spec/validation_options.hpp"

namespace cairn::spec {

struct SpecLoad {
  std::optional<ClusterSpec> spec;      // set exactly when there is no diagnostic
  std::vector<Diagnostic> diagnostics;  // sorted by line, then column
  // Validation stopped early (after NodeReader::kMaxDiagnostics problems);
  // there may be more.
  bool truncated = false;

  bool ok() const { return spec.has_value(); }
};

// `display_name` is the FILE of each diagnostic.
SpecLoad load_spec_text(std::string_view text, const std::string& display_name,
                        const ValidationOptions& options = {});
SpecLoad load_spec_file(const std::string& path, const ValidationOptions& options = {});

}  // namespace cairn::spec
