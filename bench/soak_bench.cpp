// Soak: N concurrent cancel + watch operations (cancel_and_watch) on N batches, against the
// emulator as a child process with about 10 % of the cancel and retrieve requests faulted
// (resets mid-response, 503s, 429s with retry-after, stalled headers, truncated bodies).
// Every operation must end with a terminal batch or a typed batchwire::error before a
// deadline; then the client's memory must return to its baseline. Prints one JSON line:
// wall time, requests, retries, outcomes, errors by type, poll errors by type, operations
// still running at the deadline, RSS (baseline, peak, after) and malloc's bytes in use
// (baseline, after).
//
//   soak_bench [--operations 10000] [--deadline-s 300]

#include "emulator_process.hpp"

#include <batchwire/client.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <malloc.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using namespace std::chrono_literals;

namespace {

constexpr double time_scale = 600; // the 10-minute cancelling window lasts 1 s

// About 10 % of cancels and retrieves: five kinds at 2 % each, tried in turn.
std::vector<std::string> emulator_args()
{
    std::vector<std::string> args{"--time-scale", std::to_string(time_scale), "--requests-per-second", "1",
                                  "--fault-seed", "10"};
    const char* kinds[] = {"kind=reset_mid_response", "kind=http_status,status=503",
                           "kind=rate_limited,retry_after_s=0.5", "kind=stall_headers,stall_ms=3000",
                           "kind=truncate_body"};
    for (const char* route : {"POST /v1/batches/{id}/cancel", "GET /v1/batches/{id}"})
        for (const char* kind : kinds) {
            args.push_back("--fault");
            args.push_back(std::string("route=") + route + ",count=0,probability=0.02," + kind);
        }
    return args;
}

asio::awaitable<void> pause(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<std::vector<std::string>> create_batches(client& c, std::size_t n)
{
    const auto path = (std::filesystem::temp_directory_path() / "batchwire-soak-bench.jsonl").string();
    std::ofstream(path) << R"({"custom_id":"r0","method":"POST","url":"/v1/embeddings","body":{"input":"x"}})" << '\n'
                        << R"({"custom_id":"r1","method":"POST","url":"/v1/embeddings","body":{"input":"y"}})" << '\n';
    const file_upload_params upload{.path = path};
    const auto file = co_await c.upload_file(upload);
    std::filesystem::remove(path);
    std::vector<std::string> ids(n);
    const batch_create_params params{.input_file_id = file.id, .endpoint = "/v1/embeddings"};
    std::size_t next = 0, running = 0;
    for (int w = 0; w < 64; ++w) {
        ++running;
        asio::co_spawn(co_await asio::this_coro::executor, [&]() -> asio::awaitable<void> {
            while (next < n) {
                const std::size_t i = next++;
                ids[i] = (co_await c.create(params)).id;
            }
            --running;
        }, asio::detached);
    }
    while (running > 0)
        co_await pause(5ms);
    co_return ids;
}

std::string error_name(const boost::system::error_code& ec)
{
    return ec.category() == error_category() ? ec.message() + " (batchwire)" : ec.category().name() + (": " + ec.message());
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t operations = 10000;
    long deadline_s = 300;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--operations")
            operations = std::stoul(argv[i + 1]);
        else if (a == "--deadline-s")
            deadline_s = std::stol(argv[i + 1]);
    }
    bench::emulator_process emu(emulator_args());
    asio::io_context ctx;
    client_options o;
    o.base_url = emu.base_url();
    o.api_key = "sk-emulator";
    o.tls.ca_file = emu.ca_file();
    o.pool.max_size = 128;
    o.attempt_timeout = 2s; // a stalled response becomes a timeout, then a retry
    o.retry.initial_backoff = 100ms;
    o.retry.max_backoff = 1s;
    long requests = 0, retries = 0;
    o.logger = [&](const log_event& e) {
        if (e.kind == log_event_kind::request_sent)
            ++requests;
        else if (e.kind == log_event_kind::retry_scheduled)
            ++retries;
    };
    client c(ctx, o);

    boost::json::object report;
    int exit_status = 0;
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        const auto ids = co_await create_batches(c, operations);
        co_await pause(200ms);
        malloc_trim(0);
        const long rss_baseline = bench::current_rss_kib();
        const std::size_t heap_baseline = mallinfo2().uordblks;
        const long requests0 = requests, retries0 = retries;

        std::map<std::string, long> outcomes, errors, poll_errors;
        std::vector<asio::cancellation_signal> signals(ids.size());
        std::vector<diagnostics> diags(ids.size());
        std::size_t ended = 0;
        watch_options wo;
        wo.initial_interval = 250ms;
        wo.max_interval = 2s;
        wo.server_time_scale = time_scale;
        wo.report_progress = false;
        wo.on_poll_error = [&](const boost::system::error_code& ec, const diagnostics&) { ++poll_errors[error_name(ec)]; };
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < ids.size(); ++i)
            async_cancel_and_watch(c, ids[i], wo, diags[i],
                                   asio::bind_cancellation_slot(signals[i].slot(), [&](boost::system::error_code ec, batch b) {
                                       ++ended;
                                       if (ec)
                                           ++errors[error_name(ec)];
                                       else
                                           ++outcomes[b.status_text];
                                   }));
        const auto deadline = t0 + std::chrono::seconds(deadline_s);
        while (ended < ids.size() && std::chrono::steady_clock::now() < deadline)
            co_await pause(20ms);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::size_t hung = ids.size() - ended;
        for (auto& s : signals) // operations still running at the deadline are the finding
            s.emit(asio::cancellation_type::terminal);
        while (ended < ids.size())
            co_await pause(5ms);

        // The bench's own per-operation state goes first: what stays is the client's.
        const std::size_t n_ops = ids.size();
        std::vector<asio::cancellation_signal>().swap(signals);
        std::vector<diagnostics>().swap(diags);
        co_await pause(500ms);
        malloc_trim(0);
        const long rss_after = bench::current_rss_kib();
        const std::size_t heap_after = mallinfo2().uordblks;
        report["operations"] = n_ops;
        report["wall_s"] = wall;
        report["requests"] = requests - requests0;
        report["retries"] = retries - retries0;
        report["hung_at_deadline"] = hung;
        boost::json::object out, err, perr;
        for (const auto& [k, v] : outcomes)
            out[k] = v;
        for (const auto& [k, v] : errors)
            err[k] = v;
        for (const auto& [k, v] : poll_errors)
            perr[k] = v;
        report["outcomes"] = out;
        report["errors"] = err;
        report["poll_errors_retried"] = perr;
        report["rss_kib"] = {{"baseline", rss_baseline}, {"peak", bench::peak_rss_kib()}, {"after", rss_after}};
        // malloc's bytes in use (mallinfo2): tells memory still held from pages malloc keeps.
        report["heap_in_use_kib"] = {{"baseline", heap_baseline / 1024}, {"after", heap_after / 1024}};
        if (hung > 0)
            exit_status = 1;
    }, [&](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "soak_bench: " << x.what() << '\n';
            }
            exit_status = 2;
        }
    });
    ctx.run();
    std::cout << boost::json::serialize(report) << std::endl;
    return exit_status;
}
