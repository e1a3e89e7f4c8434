// watch_until_terminal at scale, on one thread, against the emulator (a child process):
//  1. requests per poll interval for K watchers of one batch (shared poll: 1; unshared: K);
//  2. memory per idle watcher (RSS and heap) for W watchers of W distinct batches, and the
//     CPU they use while idle.
// Prints one JSON line per measurement.
//
//   watch_bench [--watchers 100000] [--coalesce 1000]

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

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using namespace std::chrono_literals;

namespace {

std::size_t heap_in_use() { return mallinfo2().uordblks; }

asio::awaitable<void> until(std::function<bool()> pred)
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!pred()) {
        t.expires_after(1ms);
        co_await t.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> pause(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Requests per poll interval while k watchers of one batch, spread over `clients`, watch
// it for a second.
asio::awaitable<double> requests_per_poll(std::vector<client*> clients, std::string batch_id, watch_options wo,
                                          int k, const std::atomic<long>& requests)
{
    std::vector<asio::cancellation_signal> sigs(static_cast<std::size_t>(k));
    const long r0 = requests;
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t ended = 0;
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        static diagnostics diag;
        async_watch_until_terminal(*clients[i % clients.size()], batch_id, wo, diag,
                                   asio::bind_cancellation_slot(sigs[i].slot(),
                                                                [&ended](boost::system::error_code, batch) { ++ended; }));
    }
    co_await pause(2000ms);
    for (auto& s : sigs)
        s.emit(asio::cancellation_type::terminal);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    co_await until([&] { return ended == sigs.size(); }); // the signals must outlive their watchers
    co_return static_cast<double>(requests - r0) / (secs / std::chrono::duration<double>(wo.initial_interval).count());
}

// Creates n batches (64 requests in flight) on one uploaded input file.
asio::awaitable<std::vector<std::string>> create_batches(client& c, int n)
{
    const auto path = (std::filesystem::temp_directory_path() / "batchwire-watch-bench.jsonl").string();
    std::ofstream(path) << R"({"custom_id":"r0","method":"POST","url":"/v1/embeddings","body":{"input":"x"}})" << '\n';
    const file_upload_params upload{.path = path};
    auto file = co_await c.upload_file(upload);
    std::filesystem::remove(path);
    std::vector<std::string> ids(static_cast<std::size_t>(n));
    const batch_create_params params{.input_file_id = file.id, .endpoint = "/v1/embeddings"};
    int next = 0, running = 0;
    for (int w = 0; w < 64; ++w) {
        ++running;
        asio::co_spawn(co_await asio::this_coro::executor, [&]() -> asio::awaitable<void> {
            while (next < n) {
                const int i = next++;
                ids[static_cast<std::size_t>(i)] =
                    (co_await c.create(params)).id;
            }
            --running;
        }, asio::detached);
    }
    co_await until([&] { return running == 0; });
    co_return ids;
}

} // namespace

int main(int argc, char** argv)
{
    int watchers = 100000, coalesce = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--watchers")
            watchers = std::stoi(argv[i + 1]);
        else if (a == "--coalesce")
            coalesce = std::stoi(argv[i + 1]);
    }
    // Batches stay `validating` for the whole run: the watchers stay idle.
    bench::emulator_process emu({"--validating-s", "100000"});
    asio::io_context ctx;
    client_options o;
    o.base_url = emu.base_url();
    o.api_key = "sk-emulator";
    o.tls.ca_file = emu.ca_file();
    o.pool.max_size = 64;
    std::atomic<long> requests{0};
    o.logger = [&](const log_event& e) {
        if (e.kind == log_event_kind::request_sent)
            ++requests;
    };
    client c(ctx, o);

    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        // 1. K watchers of one batch: on one client (one shared poll), then on K clients
        //    (K polls: what the sharing saves), for the same time at the same interval.
        auto one = co_await create_batches(c, 1);
        const auto interval = 200ms; // K polls per interval stay well within what one core serves
        watch_options wo;
        wo.initial_interval = wo.max_interval = interval;
        const std::vector<client*> just_c{&c}; // a named variable, not a braced temporary in co_await
        const double shared = co_await requests_per_poll(just_c, one[0], wo, coalesce, requests);
        std::vector<std::unique_ptr<client>> own;
        std::vector<client*> own_ptrs;
        auto single = o;
        single.pool.max_size = 1;
        for (int i = 0; i < coalesce; ++i) {
            own.push_back(std::make_unique<client>(ctx, single));
            own_ptrs.push_back(own.back().get());
        }
        const double unshared = co_await requests_per_poll(own_ptrs, one[0], wo, coalesce, requests);
        own.clear();
        boost::json::object r1;
        r1["measure"] = "shared_poll";
        r1["watchers_of_one_batch"] = coalesce;
        r1["poll_interval_ms"] = interval.count();
        r1["requests_per_poll_interval_one_client"] = shared;
        r1["requests_per_poll_interval_one_client_each"] = unshared;
        r1["unshared_vs_shared_requests"] = shared > 0 ? unshared / shared : 0.0;
        std::cout << boost::json::serialize(r1) << std::endl;

        // 2. W idle watchers of W batches.
        auto ids = co_await create_batches(c, watchers);
        std::vector<asio::cancellation_signal> wsigs(static_cast<std::size_t>(watchers));
        diagnostics shared_diag;
        long firsts = 0;
        std::size_t ended = 0;
        watch_options idle;
        idle.initial_interval = idle.max_interval = 3600s;
        idle.on_transition = [&firsts](const batch_transition&) { ++firsts; };
        malloc_trim(0);
        const long rss0 = bench::current_rss_kib();
        const std::size_t heap0 = heap_in_use();
        for (std::size_t i = 0; i < ids.size(); ++i)
            async_watch_until_terminal(c, ids[i], idle, shared_diag,
                                       asio::bind_cancellation_slot(wsigs[i].slot(),
                                                                    [&ended](boost::system::error_code, batch) {
                                                                        ++ended;
                                                                    }));
        co_await until([&] { return firsts == watchers; }); // each made its first poll, then idles
        co_await pause(200ms);                              // let the last connections settle
        malloc_trim(0); // what the first polls' burst left in malloc's free lists is not the watchers'
        const long rss1 = bench::current_rss_kib();
        const std::size_t heap1 = heap_in_use();
        const auto cpu0 = bench::cpu_time_us();
        co_await pause(2000ms);
        const auto idle_cpu = bench::cpu_time_us() - cpu0;
        boost::json::object r2;
        r2["measure"] = "idle_watchers";
        r2["watchers"] = watchers;
        r2["rss_bytes_per_watcher"] = (rss1 - rss0) * 1024.0 / watchers;
        r2["heap_bytes_per_watcher"] = static_cast<double>(heap1 - heap0) / watchers;
        r2["idle_cpu_us_per_second"] = idle_cpu / 2.0;
        r2["peak_rss_kib"] = bench::peak_rss_kib();
        std::cout << boost::json::serialize(r2) << std::endl;
        for (auto& s : wsigs)
            s.emit(asio::cancellation_type::terminal);
        co_await until([&] { return ended == wsigs.size(); }); // the signals must outlive their watchers
    }, [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e);
    });
    ctx.run();
    return 0;
}
