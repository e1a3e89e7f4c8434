// Host-name verification through both of its paths: a DNS name (SNI and the certificate's
// DNS entries) and an IP literal (its IP entries). The emulator issues its certificate for
// the names each case needs; the CA is trusted throughout, so only the name decides.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::emulator_fixture;

namespace {

// Retrieves an unknown batch from the emulator through `host`: a 404 means TLS passed.
boost::system::error_code retrieve_through(emulator_fixture& f, const std::string& host, diagnostics& diag)
{
    auto o = f.client_opts();
    o.base_url = "https://" + host + ":" + std::to_string(f.server->port()) + "/v1";
    o.retry.max_retries = 0;
    client c(f.ctx, o);
    auto [ec, b] = f.run(c.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
    return ec;
}

emulator::emulator_options certificate_for(std::string names)
{
    auto eo = batchwire::test::fast_emulator_options();
    eo.certificate_names = std::move(names);
    return eo;
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_transport, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(a_dns_name_missing_from_the_certificate_fails_verification)
{
    emulator_fixture f(certificate_for("DNS:api.example.test,IP:127.0.0.1"));
    diagnostics diag;
    BOOST_TEST(retrieve_through(f, "localhost", diag) == error::tls_handshake_failed, describe({}, diag));
    BOOST_TEST(diag.message.find("certificate") != std::string::npos, diag.message);
    BOOST_TEST(f.server->request_count() == 0u);
    // The same server and CA through a name the certificate has.
    BOOST_TEST(retrieve_through(f, "127.0.0.1", diag) == error::not_found, describe({}, diag));
}

BOOST_AUTO_TEST_CASE(an_ip_missing_from_the_certificate_fails_verification)
{
    emulator_fixture f(certificate_for("DNS:localhost"));
    diagnostics diag;
    BOOST_TEST(retrieve_through(f, "127.0.0.1", diag) == error::tls_handshake_failed, describe({}, diag));
    BOOST_TEST(f.server->request_count() == 0u);
    BOOST_TEST(retrieve_through(f, "localhost", diag) == error::not_found, describe({}, diag));
    BOOST_TEST(f.server->request_count() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_transport, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(new_connections_resume_the_tls_session)
{
    auto eo = batchwire::test::fast_emulator_options();
    eo.close_after_requests = 1; // every answer closes its connection: each request connects anew
    emulator_fixture f(eo);
    auto run_five = [&](bool resumption) {
        auto o = f.client_opts();
        o.pool.tls_session_resumption = resumption;
        client c(f.ctx, o);
        diagnostics diag;
        for (int i = 0; i < 5; ++i) {
            auto [ec, b] = f.run(c.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
            BOOST_TEST(ec == error::not_found, describe(ec, diag));
        }
        return c.stats();
    };
    const auto on = run_five(true);
    BOOST_TEST(on.opened == 5u);
    BOOST_TEST(on.resumed == 4u); // all but the first handshake were abbreviated
    const auto off = run_five(false);
    BOOST_TEST(off.opened == 5u);
    BOOST_TEST(off.resumed == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_transport, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(a_silent_tls_server_ends_the_attempt_at_its_timeout)
{
    // A server that accepts and never answers the ClientHello. The handshake timeout is
    // long (10 s by default); the attempt's 50 ms bound it.
    asio::io_context ctx;
    asio::ip::tcp::acceptor acceptor(ctx, {asio::ip::address_v4::loopback(), 0});
    asio::ip::tcp::socket held(ctx);
    acceptor.async_accept(held, [](boost::system::error_code) {});
    client_options o;
    o.base_url = "https://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/v1";
    o.api_key = "sk-test";
    o.retry.max_retries = 0;
    o.attempt_timeout = std::chrono::milliseconds(50);
    client c(ctx, o);
    diagnostics diag;
    boost::system::error_code got;
    const auto t0 = std::chrono::steady_clock::now();
    c.async_retrieve("batch_x", diag, [&](boost::system::error_code ec, batch) {
        got = ec;
        acceptor.close();
        held.close();
    });
    ctx.run();
    const auto took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(got == error::timeout, describe(got, diag));
    BOOST_TEST(took < std::chrono::seconds(5)); // not the 10 s handshake timeout
}

BOOST_AUTO_TEST_SUITE_END()
