#include <gtest/gtest.h>

#include "lib/http/testing/harness.hpp"
#include "lib/http/testing/test_certificates.hpp"

namespace cairn::http {
namespace {

using testing::Harness;
using testing::TestCertificates;

const TestCertificates& certs() {
  static TestCertificates c;
  return c;
}

Router whoami_router() {
  Router r;
  r.add("/whoami", "", [](Request req, Responder res) {
    res.respond(text_response(
        200, std::string(req.tls ? "tls " : "plain ") + req.peer_certificate_subject));
  });
  return r;
}

ServerOptions tls_server(bool require_client_cert = false, bool allow_plaintext = false) {
  ServerOptions o;
  o.tls = TlsServerOptions{certs().server_cert, certs().server_key, certs().ca_cert,
                           require_client_cert, allow_plaintext};
  return o;
}

ClientOptions trusting_client(bool with_client_cert = false) {
  ClientOptions o;
  o.tls.ca_file = certs().ca_cert;
  if (with_client_cert) {
    o.tls.cert_file = certs().client_cert;
    o.tls.key_file = certs().client_key;
  }
  return o;
}

TEST(Tls, ServesHttpsToAClientThatTrustsTheCa) {
  Harness h;
  ASSERT_TRUE(h.serve(whoami_router(), tls_server()).ok());
  h.use_client(trusting_client());
  auto r = h.fetch(h.url("/whoami", "https"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->body, "tls \n");
  // Keep-alive works over TLS too.
  ASSERT_TRUE(h.fetch(h.url("/whoami", "https")).ok());
  EXPECT_EQ(h.server_stats().connections_accepted, 1u);
  // The host name is checked: "localhost" is in the certificate too.
  auto by_name = h.fetch("https://localhost:" + std::to_string(h.server->port()) + "/whoami");
  ASSERT_TRUE(by_name.ok()) << by_name.error();
}

TEST(Tls, ClientRefusesAServerItCannotVerify) {
  Harness h;
  ASSERT_TRUE(h.serve(whoami_router(), tls_server()).ok());
  ClientOptions o;
  o.tls.ca_file = certs().other_ca_cert;
  h.use_client(o);
  auto r = h.fetch(h.url("/whoami", "https"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("TLS handshake"), std::string::npos) << r.error();
}

TEST(Tls, PlainHttpToATlsOnlyPortFails) {
  Harness h;
  ASSERT_TRUE(h.serve(whoami_router(), tls_server()).ok());
  auto r = h.fetch(h.url("/whoami", "http"));
  EXPECT_FALSE(r.ok());
}

TEST(Tls, MutualTlsRequiresAClientCertificateSignedByTheCa) {
  Harness h;
  ASSERT_TRUE(h.serve(whoami_router(), tls_server(/*require_client_cert=*/true)).ok());
  h.use_client(trusting_client(false));
  EXPECT_FALSE(h.fetch(h.url("/whoami", "https")).ok());
  h.use_client(trusting_client(true));
  auto r = h.fetch(h.url("/whoami", "https"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_NE(r->body.find("CN=cairn-test-client"), std::string::npos) << r->body;
}

TEST(Tls, DowngradeServesPlainAndTlsOnOnePort) {
  Harness h;
  ASSERT_TRUE(h.serve(whoami_router(), tls_server(false, /*allow_plaintext=*/true)).ok());
  h.use_client(trusting_client());
  auto secure = h.fetch(h.url("/whoami", "https"));
  ASSERT_TRUE(secure.ok()) << secure.error();
  EXPECT_EQ(secure->body, "tls \n");
  auto plain = h.fetch(h.url("/whoami", "http"));
  ASSERT_TRUE(plain.ok()) << plain.error();
  EXPECT_EQ(plain->body, "plain \n");
}

TEST(Tls, BadFilesAreReportedAtStart) {
  EventLoop loop;
  ServerOptions o;
  o.tls = TlsServerOptions{"/nonexistent/server.crt", certs().server_key};
  Server missing(loop, o, Router{});
  auto r = missing.start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("/nonexistent/server.crt"), std::string::npos) << r.error();

  o.tls = TlsServerOptions{certs().server_cert, certs().client_key};
  Server mismatched(loop, o, Router{});
  auto mismatch = mismatched.start();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().find(certs().client_key), std::string::npos) << mismatch.error();

  o.tls = TlsServerOptions{certs().server_cert, certs().server_key, "", true};
  Server no_ca(loop, o, Router{});
  EXPECT_NE(no_ca.start().error().find("CA file"), std::string::npos);
}

}  // namespace
}  // namespace cairn::http
