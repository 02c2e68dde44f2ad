#include "lib/http/testing/test_certificates.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace cairn::http::testing {
namespace {

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    std::fprintf(stderr, "test certificates: command failed: %s\n", command.c_str());
    std::abort();
  }
}

}  // namespace

TestCertificates::TestCertificates() {
  char pattern[] = "/tmp/cairn-certs-XXXXXX";
  dir = mkdtemp(pattern);
  ca_cert = dir + "/ca.crt";
  ca_key = dir + "/ca.key";
  server_cert = dir + "/server.crt";
  server_key = dir + "/server.key";
  client_cert = dir + "/client.crt";
  client_key = dir + "/client.key";
  other_ca_cert = dir + "/other-ca.crt";
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  run("openssl req -x509 " + key + " -keyout " + ca_key + " -out " + ca_cert +
      " -days 2 -subj /CN=cairn-test-ca");
  run("openssl req -x509 " + key + " -keyout " + dir + "/other-ca.key -out " + other_ca_cert +
      " -days 2 -subj /CN=other-ca");
  std::ofstream(dir + "/server.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  run("openssl req " + key + " -keyout " + server_key + " -out " + dir +
      "/server.csr -subj /CN=localhost");
  run("openssl x509 -req -in " + dir + "/server.csr -CA " + ca_cert + " -CAkey " + ca_key +
      " -CAcreateserial -days 2 -extfile " + dir + "/server.ext -out " + server_cert);
  run("openssl req " + key + " -keyout " + client_key + " -out " + dir +
      "/client.csr -subj /CN=cairn-test-client");
  run("openssl x509 -req -in " + dir + "/client.csr -CA " + ca_cert + " -CAkey " + ca_key +
      " -CAcreateserial -days 2 -out " + client_cert);
}

TestCertificates::~TestCertificates() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace cairn::http::testing
