// Internal to lib/http: builds OpenSSL contexts from TlsServerOptions and
// TlsClientOptions. Included only by server.cpp and client.cpp.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "lib/base/result.hpp"
#include "lib/http/tls.hpp"

namespace cairn::http {

Result<std::shared_ptr<boost::asio::ssl::context>> make_server_context(const TlsServerOptions&);
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_context(const TlsClientOptions&);

// Subject of the verified peer certificate ("/CN=agent-1"), or "".
std::string peer_certificate_subject(SSL* ssl);

}  // namespace cairn::http
