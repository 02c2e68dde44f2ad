// roles: Mesos role names with their DRF weights. `*` (unreserved) and
// slave_public (the role of public agents) exist in every cluster and so
// cannot be declared.
#include <map>
#include <utility>

#include "lib/resources/role.hpp"
#include "lib/spec/section_readers.hpp"
#include "lib/spec/spec_keys.hpp"

namespace cairn::spec {

void read_roles(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto list =
      reader.list(top, "roles", Need::kOptional, "entries like {name: prod, weight: 3}");
  if (!list) return;
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < list->size() && !reader.stopped(); ++i) {
    const auto entry = reader.mapping((*list)[i], index_path("roles", i), keys_of("roles[]"),
                                      "a mapping such as {name: prod, weight: 3}");
    if (!entry) continue;
    RoleEntry role;
    bool ok = false;
    if (auto name = reader.text(*entry, "name", Need::kRequired, "a role name such as prod")) {
      if (*name == "*" || *name == "slave_public") {
        reader.error(*entry, "name",
                     "role " + quote_value(*name) +
                         " is built in and cannot be declared (expected a role of your own; '*' "
                         "is unreserved resources, slave_public the role of public agents)");
      } else if (Status s = validate_role_name(*name); !s) {
        reader.error(*entry, "name", s.error());
      } else if (auto [it, inserted] = seen.emplace(*name, i); !inserted) {
        reader.error(*entry, "name",
                     "role " + quote_value(*name) + " is declared twice (also at " +
                         index_path("roles", it->second) + "; expected each role once)");
      } else {
        role.name = std::move(*name);
        ok = true;
      }
    }
    if (auto weight = reader.positive_number(*entry, "weight", "weight")) role.weight = *weight;
    if (ok) spec.roles.push_back(std::move(role));
  }
}

}  // namespace cairn::spec
