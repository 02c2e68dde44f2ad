// Rules for single text values of the spec that are not hosts, versions,
// durations or Mesos syntax: the cluster name, a POSIX user name, a
// ZooKeeper znode path and an absolute file-system path.
//
// Each check returns OK or an error whose message reads after the key path,
// "cluster.name: <message>", and says what is wrong, what was given and
// what would be valid.
#pragma once

#include <string_view>

#include "lib/base/result.hpp"

namespace cairn::spec {

// 1..63 of a-z, 0-9 and '-', not starting or ending with '-' (a DNS label,
// so the name can appear in host names and certificate subjects).
Status check_cluster_name(std::string_view name);

// A portable POSIX user name: a-z or '_' first, then a-z, 0-9, '_', '.',
// '-'; at most 32 characters.
Status check_user_name(std::string_view name);

// A ZooKeeper path: "/" and one or more non-empty components, no "." or
// ".." component, no trailing "/", no whitespace or control characters, and
// not under ZooKeeper's own /zookeeper.
Status check_znode_path(std::string_view path);

// Starts with "/", has no control characters, at most 4096 bytes.
Status check_absolute_path(std::string_view path);

}  // namespace cairn::spec
