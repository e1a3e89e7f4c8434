// The webhook listener on loopback: signed deliveries sent by a Beast client in the test,
// every refusal status, garbage, oversize, slow and concurrent clients, HTTPS, stop and
// cancellation.

#include "run_to_completion.hpp"
#include "webhook_delivery.hpp"

#include <batchwire/error.hpp>
#include <batchwire/emulator/tls_identity.hpp>
#include <batchwire/webhook_listener.hpp>
#include <batchwire/webhook_signer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace batchwire;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using test::delivery_text;
using test::event_body;
using test::exchange;
using test::reply;
using test::send;
using test::webhook_test_secret;
const std::string& secret = webhook_test_secret;

// Collects the handler's events; a test awaits them (the handler wakes the waiter).
struct inbox {
    explicit inbox(asio::any_io_executor ex) : timer(ex) {}
    std::vector<webhook_event> events;
    asio::steady_timer timer;

    webhook_event_handler handler()
    {
        return [this](webhook_event e) {
            events.push_back(std::move(e));
            timer.cancel();
        };
    }
    asio::awaitable<void> wait_for(std::size_t n)
    {
        while (events.size() < n) {
            timer.expires_after(std::chrono::seconds(20));
            auto [ec] = co_await timer.async_wait(use_tuple);
            if (!ec)
                BOOST_FAIL("no event arrived within 20 s");
        }
    }
};

webhook_listener_options listener_options()
{
    webhook_listener_options o;
    o.endpoint = {asio::ip::address_v4::loopback(), 0};
    o.receiver.secrets = {secret};
    o.receiver.verify.max_body_bytes = 4096;
    o.max_header_bytes = 2048;
    o.read_timeout = std::chrono::seconds(10);
    return o;
}

struct listener_fixture {
    asio::io_context ctx;
    inbox in{ctx.get_executor()};
    std::vector<webhook_refusal> refusals;
    std::optional<webhook_listener> listener;
    std::optional<error_code> run_result;

    void start(webhook_listener_options o = listener_options())
    {
        o.on_refusal = [this](const webhook_refusal& r) { refusals.push_back(r); };
        listener.emplace(ctx.get_executor(), o, in.handler());
        listener->async_run([this](error_code ec) { run_result = ec; });
    }
    tcp::endpoint ep() const { return listener->local_endpoint(); }

    // Runs the test coroutine, then stops the listener and lets everything finish.
    void run(asio::awaitable<void> test)
    {
        asio::co_spawn(ctx, std::move(test), [this](std::exception_ptr e) {
            listener->stop();
            if (e)
                std::rethrow_exception(e);
        });
        ctx.run();
        BOOST_TEST(run_result.has_value());
        BOOST_TEST(!run_result.value_or(error::cancelled));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_listen, *boost::unit_test::timeout(120))

BOOST_FIXTURE_TEST_CASE(verified_events_are_answered_then_handled_once, listener_fixture)
{
    start();
    run([this]() -> asio::awaitable<void> {
        delivery_text d;
        d.body = event_body("evt_1", "batch.cancelled", "batch_42");
        auto r = co_await send(ep(), d.text());
        BOOST_TEST(r.status == 200u);
        co_await in.wait_for(1);
        BOOST_TEST(in.events[0].batch_id == "batch_42");
        BOOST_TEST((in.events[0].type == webhook_event_type::batch_cancelled));
        BOOST_TEST(in.events[0].webhook_id == "msg_1");

        // A redelivery (new timestamp, same webhook-id) is answered 200 and dropped.
        delivery_text again = d;
        again.ts += 1;
        r = co_await send(ep(), again.text());
        BOOST_TEST(r.status == 200u);
        // A new delivery arrives after it: the duplicate never reached the handler.
        delivery_text next;
        next.id = "msg_2";
        next.body = event_body("evt_2", "response.completed", "resp_1");
        r = co_await send(ep(), next.text());
        BOOST_TEST(r.status == 200u);
        co_await in.wait_for(2);
        BOOST_TEST(in.events.size() == 2u);
        BOOST_TEST((in.events[1].type == webhook_event_type::unknown));
        BOOST_TEST(in.events[1].type_name == "response.completed");
        const auto s = listener->stats();
        BOOST_TEST(s.accepted == 2u);
        BOOST_TEST(s.duplicates == 1u);
        BOOST_TEST(s.refused == 0u);
    }());
}

BOOST_FIXTURE_TEST_CASE(keep_alive_connections_serve_several_deliveries, listener_fixture)
{
    start();
    run([this]() -> asio::awaitable<void> {
        beast::tcp_stream s(co_await asio::this_coro::executor);
        co_await s.async_connect(ep(), asio::use_awaitable);
        beast::flat_buffer buf;
        for (int i = 0; i < 5; ++i) {
            delivery_text d;
            d.id = "msg_ka_" + std::to_string(i);
            const auto r = co_await exchange(s, buf, d.text());
            BOOST_TEST(r.status == 200u);
            BOOST_TEST(r.keep_alive);
        }
        // A refusal keeps the connection too.
        delivery_text bad;
        bad.signature = "v1,AAAA";
        const auto r = co_await exchange(s, buf, bad.text());
        BOOST_TEST(r.status == 400u);
        co_await in.wait_for(5);
        BOOST_TEST(listener->stats().connections == 1u);
    }());
}

BOOST_FIXTURE_TEST_CASE(every_refusal_status, listener_fixture)
{
    start();
    run([this]() -> asio::awaitable<void> {
        struct row {
            const char* what;
            delivery_text d;
            unsigned status;
        };
        std::vector<row> rows;
        {
            delivery_text d;
            d.signature = sign_webhook("whsec_" "b3RoZXIta2V5LWZvci10ZXN0cw==", d.id, d.ts, d.body);
            rows.push_back({"another secret", d, 400});
        }
        {
            delivery_text d;
            d.signature = sign_webhook(secret, d.id, d.ts, d.body);
            d.body[5] ^= 1;
            rows.push_back({"tampered body", d, 400});
        }
        {
            delivery_text d;
            d.ts -= 301;
            rows.push_back({"stale", d, 400});
        }
        {
            delivery_text d;
            d.ts += 3600;
            rows.push_back({"future", d, 400});
        }
        {
            delivery_text d;
            d.body = "{not json";
            rows.push_back({"malformed body", d, 400});
        }
        {
            delivery_text d;
            d.target = "/other";
            rows.push_back({"other path", d, 404});
        }
        {
            delivery_text d;
            d.method = "PUT";
            rows.push_back({"other method", d, 405});
        }
        {
            delivery_text d;
            d.body = R"({"id":"e","type":"x","created_at":1,"pad":")" + std::string(5000, 'a') + "\"}";
            rows.push_back({"body over the limit", d, 413});
        }
        {
            delivery_text d;
            d.extra_headers = "X-Big: " + std::string(3000, 'b') + "\r\n";
            rows.push_back({"header over the limit", d, 431});
        }
        for (auto& r : rows) {
            const auto got = co_await send(ep(), r.d.text());
            BOOST_TEST_CONTEXT(r.what) { BOOST_TEST(got.status == r.status); }
        }
        // A request without the webhook headers.
        const auto bare = co_await send(ep(), "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
        BOOST_TEST(bare.status == 400u);
        BOOST_TEST(bare.body.find("missing") != std::string::npos);
        const auto get = co_await send(ep(), "GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n");
        BOOST_TEST(get.status == 405u);

        BOOST_TEST(in.events.empty());
        BOOST_TEST(refusals.size() == rows.size() + 2);
        for (const auto& f : refusals) {
            BOOST_TEST(f.message.find(secret) == std::string::npos);
            BOOST_TEST(f.message.find("c2VjcmV0") == std::string::npos);
            BOOST_TEST(f.remote.find("127.0.0.1:") == 0u);
        }
        // Still serving.
        delivery_text ok;
        ok.id = "msg_after";
        BOOST_TEST((co_await send(ep(), ok.text())).status == 200u);
        co_await in.wait_for(1);
    }());
}

BOOST_FIXTURE_TEST_CASE(garbage_and_huge_bodies_do_not_stop_it, listener_fixture)
{
    start();
    run([this]() -> asio::awaitable<void> {
        const std::vector<std::string> garbage{
            std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(200, '\x7f'), // a TLS hello
            "HELLO\r\n\r\n",
            "POST /webhook HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
            "POST /webhook HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            std::string(1000, '\0'),
            "POST /webhook HTTP/1.1\r\nBad Header\r\n\r\n",
        };
        for (const auto& g : garbage) {
            const auto r = co_await send(ep(), g);
            BOOST_TEST((r.status == 400u || r.ec), "garbage answered " << r.status);
        }
        // A chunked body larger than the limit: refused while reading, unread beyond it.
        std::string chunked = "POST /webhook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 10; ++i)
            chunked += "3e8\r\n" + std::string(1000, 'x') + "\r\n";
        chunked += "0\r\n\r\n";
        const auto big = co_await send(ep(), chunked);
        BOOST_TEST(big.status == 413u);
        // A declared 1 GB body is refused from its header, without waiting for it.
        const auto huge = co_await send(ep(), "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
        BOOST_TEST(huge.status == 413u);

        delivery_text ok;
        BOOST_TEST((co_await send(ep(), ok.text())).status == 200u);
        co_await in.wait_for(1);
    }());
}

BOOST_FIXTURE_TEST_CASE(a_slow_client_is_cut_off_and_others_are_served, listener_fixture)
{
    auto o = listener_options();
    o.read_timeout = std::chrono::milliseconds(300);
    start(o);
    run([this]() -> asio::awaitable<void> {
        // Half a request, then nothing: the server closes the connection at the timeout.
        beast::tcp_stream slow(co_await asio::this_coro::executor);
        co_await slow.async_connect(ep(), asio::use_awaitable);
        const std::string half = "POST /webhook HTTP/1.1\r\nHost: x\r\nwebhook-id: m";
        co_await asio::async_write(slow, asio::buffer(half), asio::use_awaitable);
        // Meanwhile another client is served at once.
        delivery_text ok;
        BOOST_TEST((co_await send(ep(), ok.text())).status == 200u);
        char byte;
        auto [ec, n] = co_await slow.async_read_some(asio::buffer(&byte, 1), use_tuple);
        BOOST_TEST(n == 0u);
        BOOST_TEST(ec == asio::error::eof);
        // An idle connection that sends nothing at all is closed too.
        beast::tcp_stream idle(co_await asio::this_coro::executor);
        co_await idle.async_connect(ep(), asio::use_awaitable);
        auto [ec2, n2] = co_await idle.async_read_some(asio::buffer(&byte, 1), use_tuple);
        (void)n2;
        BOOST_TEST(ec2 == asio::error::eof);
        co_await in.wait_for(1);
        BOOST_TEST(refusals.size() == 1u); // the half request; the silent one is not a refusal
        BOOST_TEST(refusals.at(0).http_status == 408u);
    }());
}

BOOST_FIXTURE_TEST_CASE(concurrent_clients, listener_fixture)
{
    start();
    run([this]() -> asio::awaitable<void> {
        constexpr int clients = 40;
        int ok = 0, done = 0;
        asio::steady_timer all_done(co_await asio::this_coro::executor);
        all_done.expires_at(asio::steady_timer::time_point::max());
        for (int i = 0; i < clients; ++i) {
            delivery_text d;
            d.id = "msg_c" + std::to_string(i);
            d.body = event_body("evt_c" + std::to_string(i), "batch.failed", "batch_" + std::to_string(i));
            asio::co_spawn(co_await asio::this_coro::executor, send(ep(), d.text()),
                           [&](std::exception_ptr, reply r) {
                               ok += r.status == 200;
                               if (++done == clients)
                                   all_done.cancel();
                           });
        }
        co_await all_done.async_wait(use_tuple);
        BOOST_TEST(ok == clients);
        co_await in.wait_for(clients);
        std::vector<std::string> ids;
        for (const auto& e : in.events)
            ids.push_back(e.batch_id);
        std::sort(ids.begin(), ids.end());
        BOOST_TEST((std::unique(ids.begin(), ids.end()) == ids.end()));
    }());
}

BOOST_AUTO_TEST_CASE(several_threads_serve_concurrent_clients)
{
    asio::io_context server_ctx;
    std::atomic<int> events{0};
    auto o = listener_options();
    webhook_listener l(server_ctx.get_executor(), o, [&](webhook_event) { ++events; });
    l.async_run(asio::detached);
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i)
        threads.emplace_back([&] { server_ctx.run(); });

    asio::io_context client_ctx;
    constexpr int clients = 30;
    std::atomic<int> ok{0};
    for (int i = 0; i < clients; ++i) {
        delivery_text d;
        d.id = "msg_t" + std::to_string(i);
        asio::co_spawn(client_ctx, send(l.local_endpoint(), d.text()),
                       [&](std::exception_ptr, reply r) { ok += r.status == 200; });
    }
    client_ctx.run();
    l.stop();
    for (auto& t : threads)
        t.join();
    BOOST_TEST(ok.load() == clients);
    BOOST_TEST(events.load() == clients); // every handler call ran before run() returned
}

BOOST_AUTO_TEST_CASE(https_with_a_certificate_and_key)
{
    const auto identity = emulator::tls_identity::generate();
    asio::io_context ctx;
    std::vector<webhook_event> got;
    auto o = listener_options();
    o.tls = webhook_tls_identity{identity.cert_pem(), identity.key_pem()};
    webhook_listener l(ctx.get_executor(), o, [&](webhook_event e) { got.push_back(std::move(e)); });
    l.async_run(asio::detached);

    asio::ssl::context client_tls(asio::ssl::context::tls_client);
    client_tls.add_certificate_authority(asio::buffer(identity.ca_pem()));
    client_tls.set_verify_mode(asio::ssl::verify_peer);
    const auto r = test::run_to_completion(ctx, [&]() -> asio::awaitable<reply> {
        asio::ssl::stream<beast::tcp_stream> s(co_await asio::this_coro::executor, client_tls);
        beast::get_lowest_layer(s).expires_after(std::chrono::seconds(20));
        co_await beast::get_lowest_layer(s).async_connect(l.local_endpoint(), asio::use_awaitable);
        co_await s.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        beast::flat_buffer buf;
        delivery_text d;
        auto rep = co_await exchange(s, buf, d.text());
        // Plain HTTP on the HTTPS port is not served.
        const auto plain = co_await send(l.local_endpoint(), d.text());
        BOOST_TEST(plain.status == 0u);
        l.stop();
        co_return rep;
    }());
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(got.size() == 1u);

    auto bad = listener_options();
    bad.tls = webhook_tls_identity{"not a certificate", "not a key"};
    BOOST_CHECK_THROW(webhook_listener(ctx.get_executor(), bad, {}), exception);
}

BOOST_AUTO_TEST_CASE(stop_and_cancellation_end_run)
{
    asio::io_context ctx;
    auto o = listener_options();
    // Cancellation: run completes with error::cancelled, and an open connection is closed.
    webhook_listener l(ctx.get_executor(), o, {});
    asio::cancellation_signal sig;
    std::optional<error_code> result;
    l.async_run(asio::bind_cancellation_slot(sig.slot(), [&](error_code ec) { result = ec; }));
    const auto closed = test::run_to_completion(ctx, [&]() -> asio::awaitable<error_code> {
        beast::tcp_stream s(co_await asio::this_coro::executor);
        co_await s.async_connect(l.local_endpoint(), asio::use_awaitable);
        // The connection is accepted (a full exchange proves it), then the run is cancelled.
        beast::flat_buffer buf;
        delivery_text d;
        const auto r = co_await exchange(s, buf, d.text());
        BOOST_TEST(r.status == 200u);
        sig.emit(asio::cancellation_type::terminal);
        char byte;
        auto [ec, n] = co_await s.async_read_some(asio::buffer(&byte, 1), use_tuple);
        (void)n;
        co_return ec;
    }());
    BOOST_TEST(closed == asio::error::eof);
    BOOST_REQUIRE(result.has_value());
    BOOST_TEST(*result == make_error_code(error::cancelled));

    // Running it again is refused; the throwing form says so.
    std::optional<error_code> again;
    l.async_run([&](error_code ec) { again = ec; });
    ctx.restart();
    ctx.run();
    BOOST_TEST(again.value_or(error_code{}) == make_error_code(error::invalid_argument));

    // stop(): run completes without error; the port is free again.
    webhook_listener l2(ctx.get_executor(), o, {});
    const auto port = l2.local_endpoint().port();
    BOOST_TEST(port != 0);
    std::optional<error_code> stopped;
    l2.async_run([&](error_code ec) { stopped = ec; });
    l2.stop(); // queued after the start on the listener's strand
    ctx.restart();
    ctx.run();
    BOOST_REQUIRE(stopped.has_value());
    BOOST_TEST(!*stopped);
    // The throwing form of a stopped listener.
    BOOST_CHECK_THROW(test::run_to_completion(ctx, l2.run()), exception);
    auto o3 = o;
    o3.endpoint.port(port);
    BOOST_CHECK_NO_THROW(webhook_listener(ctx.get_executor(), o3, {}));
}

BOOST_AUTO_TEST_CASE(configuration_errors)
{
    asio::io_context ctx;
    auto o = listener_options();
    o.receiver.secrets.clear();
    BOOST_CHECK_THROW(webhook_listener(ctx.get_executor(), o, {}), exception);
    o = listener_options();
    o.path = "webhook";
    BOOST_CHECK_THROW(webhook_listener(ctx.get_executor(), o, {}), exception);
    o = listener_options();
    webhook_listener first(ctx.get_executor(), o, {});
    o.endpoint = first.local_endpoint();
    try {
        webhook_listener second(ctx.get_executor(), o, {});
        BOOST_FAIL("the port in use was taken twice");
    } catch (const exception& e) {
        BOOST_TEST(e.code() == asio::error::address_in_use);
    }
}

BOOST_AUTO_TEST_SUITE_END()
