#ifndef BATCHWIRE_SRC_TLS_CONTEXT_HPP
#define BATCHWIRE_SRC_TLS_CONTEXT_HPP

// The client's TLS context: TLS 1.2+, peer verification always on, trust from the system
// store (SSL_CERT_FILE / SSL_CERT_DIR honoured by OpenSSL) plus any CA the options add.

#include <batchwire/client_options.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <string>

namespace batchwire::detail {

// Throws batchwire::exception (error::tls_handshake_failed) when a given CA cannot be loaded.
boost::asio::ssl::context make_tls_context(const tls_options& opts);

// Per connection: SNI (for names) and host-name or IP verification against the certificate.
// Returns false (and sets ec) when OpenSSL refuses the name.
bool set_peer_identity(SSL* ssl, const std::string& host, bool host_is_ip, boost::system::error_code& ec);

// A readable description of a failed verification ("certificate verify failed: self-signed
// certificate in certificate chain"), or the OpenSSL error string.
std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec);

} // namespace batchwire::detail

#endif
