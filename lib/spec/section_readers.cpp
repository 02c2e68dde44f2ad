// SpecContext: host checks (syntax first, then the resolver, once per name)
// and relative paths.
#include "lib/spec/section_readers.hpp"

#include <filesystem>

#include "lib/spec/host_address.hpp"

namespace cairn::spec {

Status SpecContext::check_host(const std::string& host) {
  auto kind = classify_host(host);
  if (!kind) return Error(kind.error());
  if (*kind != HostKind::kName) return ok_status();
  const std::string key = canonical_host(host);
  auto it = resolved_.find(key);
  if (it == resolved_.end()) {
    Status status = options.resolve ? options.resolve(host) : resolve_with_getaddrinfo(host);
    it = resolved_.emplace(key, std::move(status)).first;
  }
  if (it->second) return ok_status();
  return Error("host name does not resolve: " + it->second.error() + " (got " + quote_value(host) +
               "; expected a name in DNS or /etc/hosts, or an IP address)");
}

std::string SpecContext::resolve_path(const std::string& path) const {
  const std::filesystem::path p(path);
  if (p.is_absolute() || options.base_dir.empty()) return path;
  return (std::filesystem::path(options.base_dir) / p).lexically_normal().string();
}

}  // namespace cairn::spec
