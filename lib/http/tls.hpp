// TLS settings for the HTTP server and client (OpenSSL underneath).
//
// Files are PEM. A server with `ca_file` and `require_client_certificate`
// accepts only clients whose certificate that CA signed (mutual TLS);
// `allow_plaintext` lets the same port also serve plain HTTP, like Mesos'
// LIBPROCESS_SSL_SUPPORT_DOWNGRADE, for clusters migrating to TLS. Clients
// verify the server against `ca_file` (or the system store when empty) and
// check the certificate's name against the host they dialled.
#pragma once

#include <string>

namespace cairn::http {

struct TlsServerOptions {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  bool require_client_certificate = false;
  bool allow_plaintext = false;
};

struct TlsClientOptions {
  std::string ca_file;
  std::string cert_file;  // client certificate for mutual TLS (optional)
  std::string key_file;
  bool verify_peer = true;
};

}  // namespace cairn::http
