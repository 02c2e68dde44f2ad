#include "lib/http/tls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace cairn::http {
namespace ssl = boost::asio::ssl;

namespace {

// Loads one PEM file into the context, naming the file and what it was for.
template <typename Load>
Status load(const std::string& what, const std::string& path, Load&& fn) {
  boost::system::error_code ec;
  fn(ec);
  if (ec) return Error("cannot load TLS " + what + " '" + path + "': " + ec.message());
  return ok_status();
}

std::shared_ptr<ssl::context> base_context(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  // TLS 1.2+ only; no compression, no renegotiation.
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression);
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  return ctx;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_context(const TlsServerOptions& o) {
  if (o.cert_file.empty() || o.key_file.empty()) {
    return Error("TLS needs both a certificate file and a key file");
  }
  auto ctx = base_context(ssl::context::tls_server);
  Status s = load("certificate", o.cert_file,
                  [&](auto& ec) { ctx->use_certificate_chain_file(o.cert_file, ec); });
  if (!s.ok()) return Error(s.error());
  s = load("private key", o.key_file,
           [&](auto& ec) { ctx->use_private_key_file(o.key_file, ssl::context::pem, ec); });
  if (!s.ok()) return Error(s.error());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Error("TLS private key '" + o.key_file + "' does not match certificate '" + o.cert_file +
                 "'");
  }
  if (!o.ca_file.empty()) {
    s = load("CA", o.ca_file, [&](auto& ec) { ctx->load_verify_file(o.ca_file, ec); });
    if (!s.ok()) return Error(s.error());
  } else if (o.require_client_certificate) {
    return Error("requiring client certificates needs a CA file to verify them");
  }
  ctx->set_verify_mode(o.require_client_certificate
                           ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                           : (o.ca_file.empty() ? ssl::verify_none : ssl::verify_peer));
  return ctx;
}

Result<std::shared_ptr<ssl::context>> make_client_context(const TlsClientOptions& o) {
  auto ctx = base_context(ssl::context::tls_client);
  if (!o.ca_file.empty()) {
    Status s = load("CA", o.ca_file, [&](auto& ec) { ctx->load_verify_file(o.ca_file, ec); });
    if (!s.ok()) return Error(s.error());
  } else {
    ctx->set_default_verify_paths();
  }
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    if (o.cert_file.empty() || o.key_file.empty()) {
      return Error("a TLS client certificate needs both a certificate file and a key file");
    }
    Status s = load("client certificate", o.cert_file,
                    [&](auto& ec) { ctx->use_certificate_chain_file(o.cert_file, ec); });
    if (!s.ok()) return Error(s.error());
    s = load("client key", o.key_file,
             [&](auto& ec) { ctx->use_private_key_file(o.key_file, ssl::context::pem, ec); });
    if (!s.ok()) return Error(s.error());
  }
  ctx->set_verify_mode(o.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

std::string peer_certificate_subject(SSL* ssl) {
  X509* cert = SSL_get_peer_certificate(ssl);
  if (!cert) return "";
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  X509_free(cert);
  return buf;
}

}  // namespace cairn::http
