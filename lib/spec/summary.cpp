#include "lib/spec/summary.hpp"

#include "lib/units/number.hpp"

namespace cairn::spec {
namespace {

std::string row(const std::string& label, const std::string& value) {
  std::string out = "  " + label;
  out.resize(std::max<size_t>(out.size() + 1, 14), ' ');
  return out + value + "\n";
}

std::string on_off(bool on) {
  return on ? "on" : "off";
}

}  // namespace

std::string summarize(const ClusterSpec& spec) {
  std::string out;
  out += row("cluster", spec.name + " (Cairn " + spec.version + ")");

  std::string masters =
      std::to_string(spec.masters.size()) + " (quorum " + std::to_string(spec.quorum()) + "):";
  for (const MasterSpec& m : spec.masters) {
    masters += " " + m.host;
    if (!m.hostname.empty()) masters += " (" + m.hostname + ")";
  }
  out += row("masters", masters);

  const auto& zk = spec.zookeeper;
  out += row("zookeeper",
             std::to_string(zk.servers.size()) + " server" + (zk.servers.size() == 1 ? "" : "s") +
                 (zk.servers_derived ? " (one on each master)" : "") + ", " + spec.zookeeper_url() +
                 ", session timeout " + zk.session_timeout.to_string());

  out += row("agents", std::to_string(spec.agents.size()) + ": " +
                           std::to_string(spec.private_agents()) + " private, " +
                           std::to_string(spec.public_agents()) + " public (role slave_public)");

  std::string roles;
  for (const RoleSpec& r : spec.roles) {
    if (!roles.empty()) roles += ", ";
    roles += r.name + " (weight " + format_number(r.weight) + ")";
  }
  out += row("roles", roles.empty() ? "none declared (all weights 1)" : roles);

  out += row("docker", spec.docker.enabled ? "on (" + spec.docker.socket + ")" : "off");
  out +=
      row("tls", spec.security.tls.enabled ? "on (CA " + spec.security.tls.ca_cert + ")" : "off");
  out += row("auth", "agents " + on_off(spec.security.authentication.agents) + ", frameworks " +
                         on_off(spec.security.authentication.frameworks));
  out += row("ports", "master " + std::to_string(spec.ports.master) + ", agent " +
                          std::to_string(spec.ports.agent) + ", router " +
                          std::to_string(spec.ports.router_http) + "/" +
                          std::to_string(spec.ports.router_https));
  return out;
}

}  // namespace cairn::spec
