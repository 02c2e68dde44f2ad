// security: TLS, authentication, ACLs and rate limits. Each file is looked
// at only when what it serves is on (TLS enabled, some authentication on,
// the ACL or rate-limit path given) and file checks are on; then it must
// exist, and the PEM and JSON files must hold what they claim to.
#include <utility>

#include "lib/spec/mesos_files.hpp"
#include "lib/spec/section_readers.hpp"
#include "lib/spec/spec_keys.hpp"
#include "lib/spec/text_file.hpp"

namespace cairn::spec {
namespace {

constexpr size_t kPathBytes = 4096;

// What a referenced file must be: what it is for, and a check of its text.
struct FileKind {
  std::string_view purpose;  // "the PEM certificate of the cluster CA"
  std::vector<std::string> (*check)(std::string_view text);
};

std::vector<std::string> check_pem_certificate(std::string_view text) {
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) return {};
  return {"does not hold a PEM certificate (expected a -----BEGIN CERTIFICATE----- block)"};
}

std::vector<std::string> check_pem_private_key(std::string_view text) {
  const size_t begin = text.find("-----BEGIN ");
  if (begin != std::string_view::npos &&
      text.substr(begin, 64).find("PRIVATE KEY-----") != std::string_view::npos) {
    return {};
  }
  return {"does not hold a PEM private key (expected a -----BEGIN ... PRIVATE KEY----- block)"};
}

constexpr FileKind kCaCert{"the PEM certificate of the cluster CA", check_pem_certificate};
constexpr FileKind kCaKey{"the PEM private key of the cluster CA", check_pem_private_key};
constexpr FileKind kCredentials{"Mesos credentials JSON", check_credentials_json};
constexpr FileKind kAcls{"Mesos ACL JSON", check_acls_json};
constexpr FileKind kRateLimits{"Mesos rate-limit JSON", check_rate_limits_json};

// The path under `key`: required when `needed`; looked at when `needed`
// and file checks are on. Returns the path resolved against base_dir.
std::optional<std::string> read_file_reference(SpecContext& context, const Mapping& map,
                                               std::string_view key, bool needed,
                                               const FileKind& kind) {
  NodeReader& reader = context.reader;
  const std::string expected = "the path of " + std::string(kind.purpose);
  auto path = reader.text(map, key, needed ? Need::kRequired : Need::kOptional, expected);
  if (!path) return std::nullopt;
  if (path->empty()) {
    reader.error(map, key, "is empty (expected " + expected + ")");
    return std::nullopt;
  }
  std::string resolved = context.resolve_path(*path);
  if (!needed || !context.options.check_files) return resolved;

  auto text = read_text_file(resolved, context.options.max_referenced_file_bytes);
  if (!text) {
    reader.error(map, key,
                 "file " + quote_value(resolved, kPathBytes) + " " + text.error() + " (expected " +
                     std::string(kind.purpose) + ")");
    return std::nullopt;
  }
  const std::vector<std::string> problems = kind.check(*text);
  for (const std::string& problem : problems) {
    reader.error(map, key, "file " + quote_value(resolved, kPathBytes) + ": " + problem);
  }
  if (!problems.empty()) return std::nullopt;
  return resolved;
}

}  // namespace

void read_security(SpecContext& context, const Mapping& top, ClusterSpec& spec) {
  NodeReader& reader = context.reader;
  const auto security = reader.section(top, "security", Need::kOptional, keys_of("security"),
                                       "a mapping with tls, authentication, acls, rate_limits");
  if (!security) return;
  SecuritySection& s = spec.security;

  if (const auto tls = reader.section(*security, "tls", Need::kOptional, keys_of("security.tls"),
                                      "a mapping with enabled, ca_cert and ca_key")) {
    if (auto enabled = reader.boolean(*tls, "enabled")) s.tls.enabled = *enabled;
    if (auto path = read_file_reference(context, *tls, "ca_cert", s.tls.enabled, kCaCert)) {
      s.tls.ca_cert = std::move(*path);
    }
    if (auto path = read_file_reference(context, *tls, "ca_key", s.tls.enabled, kCaKey)) {
      s.tls.ca_key = std::move(*path);
    }
  }

  if (const auto auth = reader.section(*security, "authentication", Need::kOptional,
                                       keys_of("security.authentication"),
                                       "a mapping with agents, frameworks and credentials")) {
    AuthenticationSection& a = s.authentication;
    if (auto on = reader.boolean(*auth, "agents")) a.agents = *on;
    if (auto on = reader.boolean(*auth, "frameworks")) a.frameworks = *on;
    if (auto path = read_file_reference(context, *auth, "credentials", a.agents || a.frameworks,
                                        kCredentials)) {
      a.credentials = std::move(*path);
    }
  }

  const bool acls_given = security->has("acls");
  if (auto path = read_file_reference(context, *security, "acls", acls_given, kAcls)) {
    s.acls = std::move(*path);
  }
  const bool limits_given = security->has("rate_limits");
  if (auto path =
          read_file_reference(context, *security, "rate_limits", limits_given, kRateLimits)) {
    s.rate_limits = std::move(*path);
  }
}

}  // namespace cairn::spec
