#include "tls_context.hpp"

#include <batchwire/error.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace batchwire::detail {

namespace ssl = boost::asio::ssl;

ssl::context make_tls_context(const tls_options& opts)
{
    ssl::context ctx(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    // Sessions are resumed by the pool (SSL_get1_session / SSL_set_session).
    SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_CLIENT);

    boost::system::error_code ec;
    if (opts.use_system_trust) {
        ctx.set_default_verify_paths(ec); // honours SSL_CERT_FILE and SSL_CERT_DIR
        if (ec) {
            diagnostics d;
            d.message = "cannot load the system trust store: " + ec.message();
            throw exception(error::tls_handshake_failed, std::move(d));
        }
    }
    if (!opts.ca_file.empty()) {
        ctx.load_verify_file(opts.ca_file, ec);
        if (ec) {
            diagnostics d;
            d.message = "cannot load CA file '" + opts.ca_file + "': " + ec.message();
            throw exception(error::tls_handshake_failed, std::move(d));
        }
    }
    if (!opts.ca_pem.empty()) {
        ctx.add_certificate_authority(boost::asio::buffer(opts.ca_pem), ec);
        if (ec) {
            diagnostics d;
            d.message = "cannot load the CA PEM given in tls_options::ca_pem: " + ec.message();
            throw exception(error::tls_handshake_failed, std::move(d));
        }
    }
    return ctx;
}

bool set_peer_identity(SSL* ssl, const std::string& host, bool host_is_ip, boost::system::error_code& ec)
{
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    // SNI carries host names only (RFC 6066 forbids IP literals).
    if (ok != 1 || (!host_is_ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                        const_cast<char*>(host.c_str())) != 1)) {
        ec = error::tls_handshake_failed;
        return false;
    }
    return true;
}

std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec)
{
    const long result = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (result != X509_V_OK)
        return std::string("certificate verification failed: ") + X509_verify_cert_error_string(result);
    return "TLS handshake failed: " + ec.message();
}

} // namespace batchwire::detail
