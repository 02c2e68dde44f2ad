// Test support: a throw-away certificate authority with a server
// certificate for 127.0.0.1/localhost and a client certificate, made with
// the openssl command in a temporary folder that is removed afterwards.
#pragma once

#include <string>

namespace cairn::http::testing {

class TestCertificates {
 public:
  TestCertificates();  // aborts the test binary if openssl fails
  ~TestCertificates();

  std::string dir;
  std::string ca_cert, ca_key;
  std::string server_cert, server_key;  // CN=localhost, SAN IP:127.0.0.1, DNS:localhost
  std::string client_cert, client_key;  // CN=cairn-test-client
  std::string other_ca_cert;            // an unrelated CA
};

}  // namespace cairn::http::testing
