// The keys of the cluster spec format, section by section.
//
// One table that the validator reads to report unknown keys (and to suggest
// the key that was meant), and that known_key_paths() lists for the unit
// test that keeps config-schema/cluster.schema.json in step with the
// validator. Sections are named by path: "" is the top level, "cluster",
// "security.tls", and list entries are "masters[]", "agents[]", "roles[]".
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::spec {

// The keys a mapping at `section` may have; empty for an unknown section.
std::span<const std::string_view> keys_of(std::string_view section);

// Every key as a path: "apiVersion", "cluster", "cluster.name",
// "masters[].host", "security.tls.enabled", ...
std::vector<std::string> known_key_paths();

}  // namespace cairn::spec
