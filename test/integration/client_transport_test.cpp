// Transport: TLS verification, the pool, cancellation, several threads, base URL forms.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

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

// Responses that drip in (a byte a millisecond) while the attempts' time limits pass, on
// four threads: each expiry may land between two steps of a composed read (TLS records, the
// header in pieces), which must then fail too. Every call ends, as a timeout.
BOOST_AUTO_TEST_CASE(four_threads_time_out_dripping_responses, *boost::unit_test::label("threads"))
{
    emulator_fixture f;
    const auto id = seed_batch(*f.server);
    f.server->add_fault({.route = "GET /v1/batches/{id}", .count = 0, .kind = fault_kind::slow_drip,
                         .drip_interval = milliseconds(1), .drip_bytes = 1});
    auto o = f.client_opts();
    o.pool.max_size = 16;
    o.retry.max_retries = 0;
    asio::thread_pool pool(4);
    client c(pool.get_executor(), o);
    constexpr int calls = 48;
    std::atomic<int> timed_out{0}, other{0};
    std::promise<void> done;
    std::atomic<int> left{calls};
    std::vector<diagnostics> diags(calls);
    for (int i = 0; i < calls; ++i) {
        request_options ro;
        ro.attempt_timeout = milliseconds(15 + i % 7);
        c.async_retrieve(id, ro, diags[static_cast<std::size_t>(i)], [&](boost::system::error_code ec, batch) {
            (ec == error::timeout ? timed_out : other)++;
            if (--left == 0)
                done.set_value();
        });
    }
    done.get_future().wait(); // a call left hanging fails by the suite's timeout
    pool.join();
    BOOST_TEST(timed_out == calls);
    BOOST_TEST(other == 0);
}

BOOST_AUTO_TEST_CASE(four_threads_run_watches_cancellations_and_timeouts, *boost::unit_test::label("threads"))
{
    // On one io_context run by four threads, at the same time: shared watches of four
    // batches (two of them cancel_and_watch-ed), a watch and six in-flight requests
    // cancelled through their cancellation slots, and six requests with tiny timeouts.
    emulator_fixture f;
    const auto input = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(4)).id;
    constexpr int n_batches = 4;
    std::vector<std::string> ids;
    for (int i = 0; i < n_batches; ++i)
        ids.push_back(f.server->put_batch({.input_file_id = input, .endpoint = "/v1/chat/completions"}).id);
    // Requests that never get an answer: the ones to cancel, and the ones to time out.
    f.server->add_fault({.route = "GET /v1/files/{id}", .count = 0, .kind = fault_kind::stall_headers});
    f.server->add_fault({.route = "GET /v1/batches", .count = 0, .kind = fault_kind::stall_headers});

    auto o = f.client_opts();
    o.pool.max_size = 32;
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    client c(ioc, o);
    auto drv = asio::make_strand(ioc); // the driver, and the handlers of what it cancels

    // Watchers: per batch two watch_until_terminal; batches 0 and 1 also cancel_and_watch.
    struct watcher {
        int batch;
        bool cancel_first;
    };
    std::vector<watcher> watchers;
    for (int i = 0; i < n_batches; ++i) {
        watchers.push_back({i, false});
        watchers.push_back({i, false});
        if (i < 2)
            watchers.push_back({i, true});
    }
    const int n_watchers = static_cast<int>(watchers.size());
    std::vector<batch_status> watch_final(n_watchers, batch_status::unknown);
    std::vector<std::string> watch_error(n_watchers);
    std::atomic<int> first_reports{0}, cancelling_reports{0};

    // A watcher of batch 2 cancelled through its slot while it waits.
    asio::cancellation_signal watch_sig;
    diagnostics watch_diag;
    boost::system::error_code watch_ec;
    std::atomic<bool> watch_first{false}, watch_done{false};

    // In-flight requests cancelled through their slots, with each type of cancellation.
    constexpr int n_cancelled = 6;
    std::vector<asio::cancellation_signal> sigs(n_cancelled);
    std::vector<diagnostics> cancel_diag(n_cancelled);
    std::vector<boost::system::error_code> cancel_ec(n_cancelled);

    // Tiny timeouts: per attempt (error::timeout) and per call (error::deadline_exceeded).
    constexpr int n_timeouts = 6;
    std::vector<diagnostics> timeout_diag(n_timeouts);
    std::vector<boost::system::error_code> timeout_ec(n_timeouts);

    std::atomic<int> left{n_watchers + 1 + n_cancelled + n_timeouts};
    std::promise<void> all_done;
    auto one_done = [&] {
        if (--left == 0)
            all_done.set_value();
    };

    asio::co_spawn(drv, [&]() -> asio::awaitable<void> {
        const request_options defaults;
        for (int i = 0; i < n_cancelled; ++i)
            c.async_retrieve_file("file-stalled", defaults, cancel_diag[i],
                                  asio::bind_cancellation_slot(
                                      sigs[i].slot(), asio::bind_executor(drv, [&, i](boost::system::error_code ec, file_object) {
                                          cancel_ec[i] = ec;
                                          one_done();
                                      })));
        for (int i = 0; i < n_timeouts; ++i) {
            request_options ro;
            if (i % 2 == 0) {
                ro.max_retries = 0;
                ro.attempt_timeout = milliseconds(20);
            } else {
                ro.total_timeout = milliseconds(20);
            }
            c.async_list({}, ro, timeout_diag[i], [&, i](boost::system::error_code ec, batch_page) {
                timeout_ec[i] = ec;
                one_done();
            });
        }
        watch_options wo;
        wo.initial_interval = milliseconds(5);
        wo.max_interval = milliseconds(20);
        for (int w = 0; w < n_watchers; ++w) {
            auto mine = wo;
            mine.on_transition = [&, cancel_first = watchers[w].cancel_first](const batch_transition& t) {
                if (!t.from) {
                    ++first_reports;
                    if (cancel_first && t.to == batch_status::cancelling)
                        ++cancelling_reports;
                }
            };
            asio::co_spawn(ioc, [&, w, mine]() -> asio::awaitable<void> {
                try {
                    batch b; // (not `?:` around two co_awaits: g++ 12 miscompiles it)
                    if (watchers[w].cancel_first)
                        b = co_await cancel_and_watch(c, ids[watchers[w].batch], mine);
                    else
                        b = co_await watch_until_terminal(c, ids[watchers[w].batch], mine);
                    watch_final[w] = b.status;
                } catch (const std::exception& e) {
                    watch_error[w] = e.what();
                }
                one_done();
            }, asio::detached);
        }
        // Every stalled request reached the server: cancel them all.
        co_await until([&] { return f.server->request_count("GET /v1/files/{id}") >= n_cancelled; });
        const asio::cancellation_type types[] = {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                                                 asio::cancellation_type::total};
        for (int i = 0; i < n_cancelled; ++i)
            sigs[i].emit(types[i % 3]);

        // Every watcher has its first snapshot, the two cancels were answered. Then a slow
        // watcher joins batch 2's loop (only now: a loop keeps its first watcher's intervals)
        // and is cancelled; once it has left, every batch runs to its end.
        co_await until([&] { return first_reports == n_watchers && cancelling_reports == 2; });
        auto slow = wo;
        slow.initial_interval = slow.max_interval = std::chrono::hours(1);
        slow.on_transition = [&](const batch_transition&) { watch_first = true; };
        async_watch_until_terminal(c, ids[2], slow, watch_diag,
                                   asio::bind_cancellation_slot(
                                       watch_sig.slot(), asio::bind_executor(drv, [&](boost::system::error_code ec, batch) {
                                           watch_ec = ec;
                                           watch_done = true;
                                           one_done();
                                       })));

        co_await until([&] { return watch_first.load(); });
        watch_sig.emit(asio::cancellation_type::terminal);
        co_await until([&] { return watch_done.load(); });
        f.server->advance(std::chrono::seconds(3600));
    }, asio::detached);

    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] { ioc.run(); });
    all_done.get_future().wait();
    work.reset();
    for (auto& t : threads)
        t.join(); // returns only when nothing is left: no timer, request or poll loop

    for (int w = 0; w < n_watchers; ++w) {
        BOOST_TEST_CONTEXT("watcher " << w << " of batch " << watchers[w].batch
                                      << (watchers[w].cancel_first ? " (cancel_and_watch)" : ""))
        {
            BOOST_TEST(watch_error[w].empty(), watch_error[w]);
            BOOST_TEST(watch_final[w] == (watchers[w].batch < 2 ? batch_status::cancelled : batch_status::completed));
        }
    }
    BOOST_TEST(watch_ec == error::cancelled, describe(watch_ec, watch_diag));
    for (int i = 0; i < n_cancelled; ++i) {
        BOOST_TEST(cancel_ec[i] == error::cancelled, describe(cancel_ec[i], cancel_diag[i]));
        BOOST_TEST(cancel_diag[i].request_may_have_been_processed);
    }
    for (int i = 0; i < n_timeouts; ++i)
        BOOST_TEST(timeout_ec[i] == (i % 2 == 0 ? error::timeout : error::deadline_exceeded),
                   describe(timeout_ec[i], timeout_diag[i]));
    BOOST_TEST(f.server->request_count("POST /v1/batches/{id}/cancel") == 2u);
    for (int i = 0; i < n_batches; ++i)
        BOOST_TEST(f.server->find_batch(ids[i])->status == (i < 2 ? batch_status::cancelled : batch_status::completed));
    BOOST_TEST(c.stats().opened <= 32u);
}

BOOST_AUTO_TEST_SUITE_END()
