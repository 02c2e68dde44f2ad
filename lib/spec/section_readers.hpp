// The rules of the cluster spec, one reader per part of the file.
//
// load_spec.cpp parses the YAML, then calls each reader with the checked
// top-level mapping. A reader fills its part of the ClusterSpec and records
// a Diagnostic (through NodeReader) for every rule a value breaks; rules
// that span parts (master count, duplicate hosts, distinct ports) run in
// the reader of the part they are reported on, so readers run in the order
// below. Internal to lib/spec.
#pragma once

#include <map>
#include <string>

#include "lib/spec/cluster_spec.hpp"
#include "lib/spec/node_reader.hpp"
#include "lib/spec/validation_options.hpp"

namespace cairn::spec {

// What every reader shares: the NodeReader, the options, and the answers of
// the host resolver so far (a host often appears in several lists).
class SpecContext {
 public:
  SpecContext(NodeReader& reader, const ValidationOptions& options)
      : reader(reader), options(options) {}

  // OK for an IP address or a name that resolves; else the message, which
  // reads after the key path.
  Status check_host(const std::string& host);
  // `path` against options.base_dir when relative.
  std::string resolve_path(const std::string& path) const;

  NodeReader& reader;
  const ValidationOptions& options;

 private:
  std::map<std::string, Status> resolved_;
};

void read_api_version(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_cluster(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_ssh(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_masters(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_zookeeper(SpecContext& context, const Mapping& top, ClusterSpec& spec);  // after masters
void read_agents(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_roles(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_docker(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_security(SpecContext& context, const Mapping& top, ClusterSpec& spec);
void read_ports(SpecContext& context, const Mapping& top, ClusterSpec& spec);  // last

}  // namespace cairn::spec
