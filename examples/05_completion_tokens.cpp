// 05: the same operations without coroutines.
//
// Every async_* function takes an Asio completion token as its last argument, so code that
// does not use coroutines gets the same operations:
//   1. a callback        c.async_retrieve(id, diag, [](error_code ec, batch b) {...});
//   2. a future          std::future<batch> f = c.async_retrieve(id, diag, asio::use_future);
//   3. per-operation cancellation, with asio::bind_cancellation_slot and a
//      cancellation_signal: (a) a request cancelled before it was sent, (b) a watch given
//      up after a few hundred milliseconds, the watchdog-timer pattern (Boost 1.81 has no
//      cancel_after).
//
// usage: example_05_completion_tokens <batch_id>
// Environment: OPENAI_API_KEY, OPENAI_BASE_URL, SSL_CERT_FILE (see example 01).

#include <batchwire/client.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <iostream>
#include <string>
#include <thread>

namespace asio = boost::asio;
using namespace batchwire;
using boost::system::error_code;

namespace {

// 1. A callback. The handler runs on the io_context's thread (here: main, inside ctx.run()).
//    `diag` must stay alive until the handler has run.
bool with_a_callback(const client_options& opts, const std::string& id)
{
    std::cout << "1. callback\n";
    asio::io_context ctx;
    client c(ctx, opts);
    diagnostics diag;
    bool ok = false;
    c.async_retrieve(id, diag, [&](error_code ec, batch b) {
        if (ec) {
            std::cout << "   failed: " << describe(ec, diag) << '\n';
            return;
        }
        std::cout << "   " << b.id << " is " << to_string(b.status) << '\n';
        ok = true;
    });
    ctx.run(); // returns once the handler has run and nothing else is pending
    return ok;
}

// 2. Futures. The io_context runs on a second thread; this one blocks on future::get().
//    A failure arrives as boost::system::system_error from get(); the diagnostics are in
//    `diag`, filled in before the future becomes ready.
bool with_futures(const client_options& opts, const std::string& id)
{
    std::cout << "2. use_future, io_context on a second thread\n";
    asio::io_context ctx;
    client c(ctx, opts);
    auto work = asio::make_work_guard(ctx); // keeps run() from returning while idle
    std::thread io_thread([&ctx] { ctx.run(); });

    // Operations may be started from any thread: here, from main while io_thread runs them.
    // Two requests in flight at once; each get() waits for its own.
    diagnostics diag1, diag2;
    std::future<batch> first = c.async_retrieve(id, diag1, asio::use_future);
    std::future<batch> unknown = c.async_retrieve("batch_does_not_exist", diag2, asio::use_future);
    bool ok = false;
    try {
        batch b = first.get();
        std::cout << "   " << b.id << " is " << to_string(b.status) << '\n';
        ok = true;
    } catch (const boost::system::system_error& e) {
        std::cout << "   failed: " << describe(e.code(), diag1) << '\n';
    }
    try {
        unknown.get();
        ok = false;
    } catch (const boost::system::system_error& e) {
        std::cout << "   as expected: " << describe(e.code(), diag2) << '\n';
        ok = ok && e.code() == error::not_found;
    }

    work.reset(); // run() returns once nothing is pending
    io_thread.join();
    return ok;
}

// 3. Per-operation cancellation. A cancellation_signal is not thread-safe: emit it on the
//    thread that runs the operation's io_context (here everything runs on main).
bool with_cancellation(const client_options& opts, const std::string& id)
{
    std::cout << "3. bind_cancellation_slot + cancellation_signal\n";
    asio::io_context ctx;
    client c(ctx, opts);

    // (a) Cancelled before the request was written: nothing reaches the server and the
    //     operation completes with error::cancelled.
    asio::cancellation_signal stop_retrieve;
    diagnostics diag;
    error_code retrieve_ec;
    c.async_retrieve(id, diag, asio::bind_cancellation_slot(stop_retrieve.slot(), [&](error_code ec, batch) {
                         retrieve_ec = ec;
                         std::cout << "   (a) retrieve: " << ec.message() << "; the server may have acted: "
                                   << (diag.request_may_have_been_processed ? "yes" : "no") << '\n';
                     }));
    stop_retrieve.emit(asio::cancellation_type::terminal);

    // (b) A watchdog: follow the batch, but give up after 300 ms. Whichever finishes first
    //     stops the other: the timer emits the signal, the watch's handler cancels the timer.
    asio::cancellation_signal stop_watch;
    asio::steady_timer watchdog(ctx, std::chrono::milliseconds(300));
    diagnostics watch_diag;
    async_watch_until_terminal(c, id, watch_options{}, watch_diag,
                               asio::bind_cancellation_slot(stop_watch.slot(), [&](error_code ec, batch b) {
                                   watchdog.cancel();
                                   if (ec == error::cancelled)
                                       std::cout << "   (b) stopped watching after 300 ms; last seen: "
                                                 << (b.id.empty() ? "nothing yet" : to_string(b.status)) << '\n';
                                   else if (ec)
                                       std::cout << "   (b) watch failed: " << describe(ec, watch_diag) << '\n';
                                   else
                                       std::cout << "   (b) the batch ended first: " << to_string(b.status) << '\n';
                               }));
    watchdog.async_wait([&](error_code ec) {
        if (!ec) // expired, not cancelled
            stop_watch.emit(asio::cancellation_type::terminal);
    });

    ctx.run();
    return retrieve_ec == error::cancelled;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " <batch_id>\n";
        return 2;
    }
    try {
        const client_options opts = client_options::from_env();
        bool ok = with_a_callback(opts, argv[1]);
        ok = with_futures(opts, argv[1]) && ok;
        ok = with_cancellation(opts, argv[1]) && ok;
        return ok ? 0 : 1;
    } catch (const exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
