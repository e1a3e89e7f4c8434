// Transport: TLS verification, the pool, cancellation, several threads, base URL forms.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::emulator_fixture;
using emulator::fault_kind;
using std::chrono::milliseconds;

namespace {

std::string seed_batch(emulator::server& s)
{
    auto file = s.put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(2));
    return s.put_batch({.input_file_id = file.id, .endpoint = "/v1/chat/completions"}).id;
}

// Waits, on the client's context, until `pred` holds (polling the emulator's counters).
asio::awaitable<void> until(std::function<bool()> pred)
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!pred()) {
        t.expires_after(milliseconds(1));
        co_await t.async_wait(asio::use_awaitable);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_transport, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(unknown_ca_fails_verification)
{
    emulator_fixture f;
    auto o = f.client_opts();
    o.tls.ca_pem.clear(); // the system store does not know the emulator's CA
    client c(f.ctx, o);
    diagnostics diag;
    auto [ec, b] = f.run(c.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::tls_handshake_failed, describe(ec, diag));
    BOOST_TEST(diag.message.find("certificate") != std::string::npos, diag.message);
    BOOST_TEST(f.server->request_count() == 0u);
}

BOOST_AUTO_TEST_CASE(wrong_host_name_fails_verification)
{
    auto eo = batchwire::test::fast_emulator_options();
    eo.host = "127.0.0.2"; // the generated certificate names 127.0.0.1, ::1 and localhost only
    emulator_fixture f(eo);
    client c(f.ctx, f.client_opts());
    diagnostics diag;
    auto [ec, b] = f.run(c.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::tls_handshake_failed, describe(ec, diag));
    BOOST_TEST(f.server->request_count() == 0u);

    // The same server through a name the certificate has... but that resolves elsewhere:
    // "localhost" is 127.0.0.1/::1, where nothing listens on that port.
    auto o = f.client_opts();
    o.base_url = "https://localhost:" + std::to_string(f.server->port()) + "/v1";
    o.retry.max_retries = 0;
    client c2(f.ctx, o);
    auto [ec2, b2] = f.run(c2.async_retrieve("batch_x", diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec2 == error::connect_failed, describe(ec2, diag));
}

BOOST_AUTO_TEST_CASE(localhost_and_plain_http_and_path_prefix)
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    auto o = f.client_opts();
    o.base_url = "https://localhost:" + std::to_string(f.server->port()) + "/v1/";
    client c(f.ctx, o);
    BOOST_TEST(f.run(c.retrieve(id)).id == id);

    auto eo = batchwire::test::fast_emulator_options();
    eo.tls = false;
    emulator_fixture plain(eo);
    const auto id2 = seed_batch(*plain.server);
    auto po = plain.client_opts();
    BOOST_TEST(po.base_url.starts_with("http://"));
    client pc(plain.ctx, po);
    BOOST_TEST(plain.run(pc.retrieve(id2)).id == id2);

    // A base URL with a different prefix reaches other paths: 404 from the emulator.
    po.base_url = "http://127.0.0.1:" + std::to_string(plain.server->port()) + "/proxy/v1";
    client prefixed(plain.ctx, po);
    diagnostics diag;
    auto [ec, b] = plain.run(prefixed.async_retrieve(id2, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::not_found);
}

BOOST_AUTO_TEST_CASE(ipv6_literal_base_url)
{
    auto eo = batchwire::test::fast_emulator_options();
    eo.host = "::1";
    std::optional<emulator_fixture> f;
    try {
        f.emplace(eo);
    } catch (const std::exception& e) {
        BOOST_TEST_MESSAGE("no IPv6 loopback here: " << e.what());
        return;
    }
    const auto id = seed_batch(*f->server);
    auto o = f->client_opts();
    o.base_url = "https://[::1]:" + std::to_string(f->server->port()) + "/v1";
    client c(f->ctx, o);
    BOOST_TEST(f->run(c.retrieve(id)).id == id);
}

BOOST_AUTO_TEST_CASE(invalid_base_urls_are_refused)
{
    asio::io_context ctx;
    for (std::string url : {"", "ftp://x/v1", "https://", "not a url", "https://h/v1?x=1", "https://u:p@h/v1"}) {
        client_options o;
        o.base_url = url;
        o.api_key = "k";
        try {
            client c(ctx, o);
            BOOST_FAIL("accepted " << url);
        } catch (const exception& e) {
            BOOST_TEST(e.code() == error::invalid_base_url, url);
        }
    }
    client_options o;
    try {
        client c(ctx, o);
        BOOST_FAIL("accepted an empty key");
    } catch (const exception& e) {
        BOOST_TEST(e.code() == error::missing_api_key);
    }
}

BOOST_AUTO_TEST_CASE(sequential_requests_reuse_one_connection)
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    client c(f.ctx, f.client_opts());
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 1000; ++i)
            co_await c.retrieve(id);
    }());
    BOOST_TEST(c.stats().opened == 1u);
    BOOST_TEST(c.stats().reused == 999u);
    BOOST_TEST(f.server->connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_requests_stay_within_max_size)
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    auto o = f.client_opts();
    o.pool.max_size = 4;
    client c(f.ctx, o);
    std::atomic<int> ok{0};
    for (int i = 0; i < 64; ++i)
        asio::co_spawn(f.ctx, [&]() -> asio::awaitable<void> {
            co_await c.retrieve(id);
            ++ok;
        }, asio::detached);
    f.ctx.restart();
    f.ctx.run();
    BOOST_TEST(ok == 64);
    BOOST_TEST(c.stats().opened <= 4u);
    BOOST_TEST(f.server->connections_accepted() <= 4u);

    // Without pooling, each request opens its own connection.
    auto no_pool = f.client_opts();
    no_pool.pool.enabled = false;
    client np(f.ctx, no_pool);
    f.run([&]() -> asio::awaitable<void> {
        for (int i = 0; i < 5; ++i)
            co_await np.retrieve(id);
    }());
    BOOST_TEST(np.stats().opened == 5u);
}

BOOST_AUTO_TEST_CASE(cancellation_mid_request_closes_that_connection)
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    client c(f.ctx, f.client_opts());
    f.run(c.retrieve(id)); // one pooled connection
    BOOST_TEST(f.server->open_connections() == 1u);

    f.server->add_fault({.route = "POST /v1/batches/{id}/cancel", .count = 1, .kind = fault_kind::stall_headers});
    asio::cancellation_signal sig;
    diagnostics diag;
    boost::system::error_code got;
    const auto before = f.server->request_count("POST /v1/batches/{id}/cancel");
    c.async_cancel(id, diag, asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec, batch) {
        got = ec;
    }));
    f.run([&]() -> asio::awaitable<void> {
        co_await until([&] { return f.server->request_count("POST /v1/batches/{id}/cancel") > before; });
        sig.emit(asio::cancellation_type::total); // any type stops the call
    }());
    f.ctx.restart();
    f.ctx.run();
    BOOST_TEST(got == error::cancelled);
    BOOST_TEST(diag.request_may_have_been_processed);
    BOOST_TEST(c.stats().closed == 1u);
    f.run([&]() -> asio::awaitable<void> {
        co_await until([&] { return f.server->open_connections() == 0; });
    }());

    // The next call opens a fresh connection and works; the batch was cancelled server side.
    auto b = f.run(c.retrieve(id));
    BOOST_TEST(b.status == batch_status::cancelling);
    BOOST_TEST(c.stats().opened == 2u);
}

BOOST_AUTO_TEST_CASE(cancellation_while_waiting_for_a_connection)
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    auto o = f.client_opts();
    o.pool.max_size = 1;
    client c(f.ctx, o);
    f.server->add_fault({.route = "GET /v1/batches/{id}", .count = 1, .kind = fault_kind::stall_headers,
                         .stall_for = milliseconds(300)});
    diagnostics d1, d2;
    boost::system::error_code e1 = error::http_error, e2 = error::http_error;
    asio::cancellation_signal sig;
    c.async_retrieve(id, d1, [&](boost::system::error_code ec, batch) { e1 = ec; });
    c.async_retrieve(id, d2, asio::bind_cancellation_slot(sig.slot(), [&](boost::system::error_code ec, batch) { e2 = ec; }));
    f.run([&]() -> asio::awaitable<void> {
        co_await until([&] { return f.server->request_count("GET /v1/batches/{id}") == 1; });
        sig.emit(asio::cancellation_type::partial);
    }());
    f.ctx.restart();
    f.ctx.run();
    BOOST_TEST(e2 == error::cancelled);
    BOOST_TEST(!d2.request_may_have_been_processed); // it never left the queue
    BOOST_TEST(!e1);                                 // the first one was not disturbed
    BOOST_TEST(f.server->request_count("GET /v1/batches/{id}") == 1u);
}

BOOST_AUTO_TEST_CASE(four_threads_share_one_client, *boost::unit_test::label("threads"))
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    auto o = f.client_opts();
    o.pool.max_size = 8;
    asio::thread_pool pool(4);
    client c(pool.get_executor(), o);
    std::atomic<int> ok{0}, failed{0};
    std::promise<void> done;
    std::atomic<int> left{200};
    for (int i = 0; i < 200; ++i)
        asio::co_spawn(pool, [&, i]() -> asio::awaitable<void> {
            try {
                batch b; // (not `?:` around two co_awaits: g++ 12 miscompiles it)
                if (i % 5 == 0)
                    b = co_await c.cancel(id);
                else
                    b = co_await c.retrieve(id);
                ok += b.id == id;
            } catch (const std::exception&) {
                ++failed;
            }
            if (--left == 0)
                done.set_value();
        }, asio::detached);
    done.get_future().wait();
    pool.join();
    BOOST_TEST(ok == 200);
    BOOST_TEST(failed == 0);
    BOOST_TEST(c.stats().opened <= 8u);
}

BOOST_AUTO_TEST_SUITE_END()
