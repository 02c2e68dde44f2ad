// One labelled line per topic; host lists are cut after a few entries so
// that a 1,000-agent spec still prints a short summary.
#include "lib/spec/summary.hpp"

#include <algorithm>
#include <charconv>

namespace cairn::spec {
namespace {

constexpr size_t kHostsShown = 5;

std::string row(std::string_view label, const std::string& value) {
  std::string out = "  " + std::string(label) + ":";
  out.resize(std::max<size_t>(out.size() + 1, 16), ' ');
  return out + value + "\n";
}

std::string on_off(bool on) {
  return on ? "on" : "off";
}

std::string plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string number(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

template <typename Entry, typename Include>
std::string hosts(const std::vector<Entry>& entries, Include include) {
  std::string out;
  size_t shown = 0;
  size_t total = 0;
  for (const Entry& e : entries) {
    if (!include(e)) continue;
    ++total;
    if (shown == kHostsShown) continue;
    ++shown;
    out += (out.empty() ? "" : ", ") + e.host;
    if (e.hostname != e.host) out += " (" + e.hostname + ")";
  }
  if (total > shown) out += ", and " + std::to_string(total - shown) + " more";
  return out;
}

}  // namespace

std::string summarize(const ClusterSpec& spec) {
  std::string out;
  out += row("cluster", spec.cluster.name + ", Cairn " + spec.cluster.version.to_string());
  out += row("masters", plural(spec.masters.size(), "master") + ", quorum " +
                            std::to_string(spec.quorum()) + ": " +
                            hosts(spec.masters, [](const MasterEntry&) { return true; }));

  const ZooKeeperSection& zk = spec.zookeeper;
  out += row("zookeeper", plural(zk.servers.size(), "server") +
                              (zk.servers_from_masters ? " (one on each master)" : "") +
                              ", quorum " + std::to_string(spec.zookeeper_quorum()) +
                              ", session timeout " + zk.session_timeout.to_string());
  out += row("zk url", spec.zookeeper_url());

  const auto is_public = [](const AgentEntry& a) { return a.role == AgentRole::kPublic; };
  const auto is_private = [](const AgentEntry& a) { return a.role == AgentRole::kPrivate; };
  const size_t n_private = spec.private_agent_count();
  const size_t n_public = spec.public_agent_count();
  out += row("agents", plural(spec.agents.size(), "agent") + ": " + std::to_string(n_private) +
                           " private, " + std::to_string(n_public) + " public");
  if (n_private > 0) out += row("  private", hosts(spec.agents, is_private));
  if (n_public > 0) {
    out += row("  public", hosts(spec.agents, is_public) + " (resources for role slave_public)");
  }

  std::string roles;
  for (const RoleEntry& r : spec.roles) {
    roles += (roles.empty() ? "" : ", ") + r.name + " (weight " + number(r.weight) + ")";
  }
  out += row("roles", roles.empty() ? "none declared (every role has weight 1)" : roles);

  out += row("docker", spec.docker.enabled ? "on (" + spec.docker.socket + ")" : "off");
  out +=
      row("tls", spec.security.tls.enabled ? "on (CA " + spec.security.tls.ca_cert + ")" : "off");
  const AuthenticationSection& auth = spec.security.authentication;
  out += row("auth", "agents " + on_off(auth.agents) + ", frameworks " + on_off(auth.frameworks));
  out += row("acls", spec.security.acls.empty() ? "none (everything allowed)" : spec.security.acls);
  out += row("rate limits", spec.security.rate_limits.empty() ? "none" : spec.security.rate_limits);
  out += row("ports", "master " + std::to_string(spec.ports.master) + ", agent " +
                          std::to_string(spec.ports.agent) + ", router " +
                          std::to_string(spec.ports.router_http) + " (http) and " +
                          std::to_string(spec.ports.router_https) + " (https)");
  return out;
}

}  // namespace cairn::spec
