// Fuzzes the cluster spec loader: any bytes must give either a valid spec or
// diagnostics, never a crash, a hang or a diagnostic without a message; and
// a spec that loads must keep the invariants the daemons rely on.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lib/spec/host_address.hpp"
#include "lib/spec/host_identity.hpp"
#include "lib/spec/load_spec.hpp"
#include "lib/spec/summary.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

const cairn::spec::ValidationOptions& options() {
  static const cairn::spec::ValidationOptions o = [] {
    cairn::spec::ValidationOptions v;
    v.check_files = false;
    // No DNS while fuzzing: only IP literals are hosts (the loader never asks
    // about those, so every name fails to resolve).
    v.resolve = [](const std::string& host) -> cairn::Status {
      if (cairn::spec::is_ip_address(host)) return cairn::ok_status();
      return cairn::Error("not resolved while fuzzing");
    };
    return v;
  }();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const cairn::spec::SpecLoad load = cairn::spec::load_spec_text(text, "fuzz.yaml", options());
  check(load.ok() == load.diagnostics.empty());
  for (const auto& d : load.diagnostics) {
    check(!d.message.empty() && d.line >= 0 && d.column >= 0);
    check(!d.to_string().empty());
  }
  if (!load.ok()) return 0;

  const cairn::spec::ClusterSpec& spec = *load.spec;
  const size_t masters = spec.masters.size();
  check(masters == 1 || masters == 3 || masters == 5 || masters == 7);
  check(spec.quorum() * 2 > masters);
  check(!spec.zookeeper.servers.empty() && spec.zookeeper.servers.size() % 2 == 1);
  const std::set<uint16_t> ports = {spec.ports.master, spec.ports.agent, spec.ports.router_http,
                                    spec.ports.router_https};
  check(ports.size() == 4 && !ports.contains(0));
  for (const auto& agent : spec.agents)
    check(!agent.hostname.empty() && !agent.work_dir.empty());
  check(!cairn::spec::summarize(spec).empty());
  const std::vector<std::string> identities = {spec.masters[0].host};
  const auto roles = cairn::spec::find_host_roles(spec, identities);
  check(roles.ok() && roles->master == 0u);
  return 0;
}
