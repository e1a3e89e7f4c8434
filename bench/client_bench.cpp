// N retrieve (or cancel) calls from C concurrent coroutines on one thread, against the
// emulator (a child process, so that getrusage counts the client alone) or any base URL.
// Prints one JSON line per run: pooled, then with pooling disabled, then a floor (a bare
// Beast coroutine client doing the same TLS keep-alive requests and JSON parsing, see
// floor_client.hpp), then the ratios: pooled vs unpooled, and batchwire vs the floor.
//
//   client_bench [-n 20000] [-c 64] [--op retrieve|cancel] [--no-unpooled] [--pin] [--one-thread]
//                [--only pooled|floor] [--base-url URL --ca-file F --batch-id ID]
//
// --no-unpooled skips the unpooled run (and its ratios); --only runs one mode, in this
// process (for a profiler), and prints its line alone. --pin puts the emulator on CPU 1
// and each measured client on CPU 0, so that neither takes the other's core (the same for
// batchwire and the floor). --one-thread creates the measured io_contexts (both clients')
// with concurrency hint 1, the application's promise that one thread runs them.

#include "emulator_process.hpp"
#include "floor_client.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace asio = boost::asio;
using namespace batchwire;

namespace {

struct settings {
    int n = 20000;
    int concurrency = 64;
    std::string op = "retrieve";
    std::string base_url, ca_file, batch_id;
    bool unpooled = true;
    bool pin = false;
    // The measured io_contexts' concurrency hint (both clients): 1 promises one thread, and
    // batchwire's operations then run without a strand each.
    int hint = BOOST_ASIO_CONCURRENCY_HINT_DEFAULT;
    std::string only;
};

settings parse(int argc, char** argv)
{
    settings s;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc)
                throw std::invalid_argument("missing value after " + a);
            return argv[++i];
        };
        if (a == "-n")
            s.n = std::stoi(next());
        else if (a == "-c")
            s.concurrency = std::stoi(next());
        else if (a == "--op")
            s.op = next();
        else if (a == "--base-url")
            s.base_url = next();
        else if (a == "--ca-file")
            s.ca_file = next();
        else if (a == "--batch-id")
            s.batch_id = next();
        else if (a == "--no-unpooled")
            s.unpooled = false;
        else if (a == "--pin")
            s.pin = true;
        else if (a == "--only")
            s.only = next();
        else if (a == "--one-thread")
            s.hint = 1;
        else
            throw std::invalid_argument("unknown argument " + a);
    }
    if (s.op != "retrieve" && s.op != "cancel")
        throw std::invalid_argument("--op is retrieve or cancel");
    return s;
}

std::uint64_t logged_events = 0;

client_options options_for(const settings& s, bool pooled)
{
    client_options o;
    o.base_url = s.base_url;
    const char* key = std::getenv("OPENAI_API_KEY");
    o.api_key = key && *key ? key : "sk-emulator";
    o.tls.ca_file = s.ca_file;
    o.pool.enabled = pooled;
    o.pool.max_size = static_cast<std::size_t>(s.concurrency);
    // A logging hook in force, at the level a service would keep (retries, failures).
    o.logger = logger([](const log_event& e) { logged_events += e.kind == log_event_kind::request_sent ? 0 : 1; },
                      log_level::info);
    return o;
}

// One batch to hammer: an input file of one request and a batch on it.
std::string make_batch(const settings& s)
{
    asio::io_context ctx;
    client c(ctx, options_for(s, true));
    const auto path = (std::filesystem::temp_directory_path() / "batchwire-bench-input.jsonl").string();
    std::ofstream(path) << R"({"custom_id":"r0","method":"POST","url":"/v1/embeddings","body":{"input":"x"}})" << '\n';
    auto fut = asio::co_spawn(ctx, [&]() -> asio::awaitable<std::string> {
        const file_upload_params upload{.path = path};
        auto f = co_await c.upload_file(upload);
        const batch_create_params params{.input_file_id = f.id, .endpoint = "/v1/embeddings"};
        auto b = co_await c.create(params);
        co_return b.id;
    }, asio::use_future);
    ctx.run();
    std::filesystem::remove(path);
    return fut.get();
}

boost::json::object run(const settings& s, bool pooled)
{
    asio::io_context ctx(s.hint);
    client c(ctx, options_for(s, pooled));
    int next = 0, errors = 0;
    // Every call cancellable: each worker's coroutine has a connected cancellation slot,
    // which every call it awaits is given (never emitted here).
    std::vector<asio::cancellation_signal> cancel(static_cast<std::size_t>(s.concurrency));
    const auto cpu0 = bench::cpu_time_us();
    const auto t0 = std::chrono::steady_clock::now();
    for (int w = 0; w < s.concurrency; ++w)
        asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
            diagnostics diag;
            while (next < s.n) {
                ++next;
                // Not `?:` around two co_awaits: g++ 12 miscompiles it.
                std::tuple<boost::system::error_code, batch> r;
                if (s.op == "cancel")
                    r = co_await c.async_cancel(s.batch_id, diag, asio::as_tuple(asio::use_awaitable));
                else
                    r = co_await c.async_retrieve(s.batch_id, diag, asio::as_tuple(asio::use_awaitable));
                const auto& ec = std::get<0>(r);
                errors += ec ? 1 : 0;
            }
        }, asio::bind_cancellation_slot(cancel[static_cast<std::size_t>(w)].slot(), asio::detached));
    ctx.run();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto cpu = bench::cpu_time_us() - cpu0;
    boost::json::object r;
    r["op"] = s.op;
    r["pooled"] = pooled;
    r["concurrency_hint"] = s.hint;
    r["requests"] = s.n;
    r["concurrency"] = s.concurrency;
    r["seconds"] = secs;
    r["requests_per_s"] = s.n / secs;
    r["client_cpu_us_per_request"] = static_cast<double>(cpu) / s.n;
    r["peak_rss_kib"] = bench::peak_rss_kib();
    r["connections_opened"] = c.stats().opened;
    r["tls_sessions_resumed"] = c.stats().resumed;
    r["errors"] = errors;
    r["logged_events"] = logged_events;
    return r;
}

// The floor: the same requests from a bare Beast client, measured the same way.
boost::json::object run_floor(const settings& s)
{
    bench::floor_settings fs;
    fs.target = bench::parse_floor_target(s.base_url);
    fs.ca_file = s.ca_file;
    const char* key = std::getenv("OPENAI_API_KEY");
    fs.api_key = key && *key ? key : "sk-emulator";
    fs.post = s.op == "cancel";
    fs.target_path = fs.target.path_prefix + "/batches/" + s.batch_id + (fs.post ? "/cancel" : "");
    fs.n = s.n;
    fs.concurrency = s.concurrency;
    asio::io_context ctx(s.hint);
    const auto cpu0 = bench::cpu_time_us();
    const auto t0 = std::chrono::steady_clock::now();
    const auto counts = bench::run_floor(ctx, fs);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto cpu = bench::cpu_time_us() - cpu0;
    boost::json::object r;
    r["op"] = s.op;
    r["concurrency_hint"] = s.hint;
    r["floor"] = true;
    r["requests"] = counts.done;
    r["concurrency"] = s.concurrency;
    r["seconds"] = secs;
    r["requests_per_s"] = counts.done / secs;
    r["client_cpu_us_per_request"] = counts.done > 0 ? static_cast<double>(cpu) / counts.done : 0.0;
    r["peak_rss_kib"] = bench::peak_rss_kib();
    r["errors"] = counts.errors;
    return r;
}

enum class bench_mode { pooled, unpooled, floor };

void pin_to_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (::sched_setaffinity(0, sizeof set, &set) != 0)
        throw std::runtime_error("sched_setaffinity failed");
}

// Runs one mode in a child process of its own, so that its peak RSS is its own; the child
// sends its JSON line back through a pipe.
boost::json::object run_in_child(const settings& s, bench_mode mode)
{
    int fds[2];
    if (::pipe(fds) != 0)
        throw std::runtime_error("pipe failed");
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::close(fds[0]);
        if (s.pin)
            pin_to_cpu(0);
        int rc = 0;
        try {
            const auto text =
                boost::json::serialize(mode == bench_mode::floor ? run_floor(s) : run(s, mode == bench_mode::pooled)) +
                "\n";
            rc = ::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()) ? 0 : 1;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "client_bench (child): %s\n", e.what());
            rc = 1;
        }
        std::_Exit(rc);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        text.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty())
        throw std::runtime_error("the benchmark run failed");
    return boost::json::parse(text).as_object();
}

} // namespace

int main(int argc, char** argv)
{
    try {
        auto s = parse(argc, argv);
        std::optional<bench::emulator_process> emu;
        if (s.pin)
            pin_to_cpu(1); // the emulator (started next) inherits it; the measured children move to 0
        if (s.base_url.empty()) {
            emu.emplace(std::vector<std::string>{});
            s.base_url = emu->base_url();
            s.ca_file = emu->ca_file();
        }
        if (s.batch_id.empty())
            s.batch_id = make_batch(s);
        auto measured = [&](bench_mode mode) {
            const auto emu_cpu0 = emu ? emu->cpu_time_us() : 0;
            auto r = run_in_child(s, mode);
            if (emu) {
                // The emulator runs on one thread: its requests per CPU second are its
                // requests/s on one core.
                const auto cpu = static_cast<double>(emu->cpu_time_us() - emu_cpu0);
                r["emulator_cpu_us_per_request"] = cpu / s.n;
                r["emulator_requests_per_cpu_s"] = cpu > 0 ? s.n * 1e6 / cpu : 0.0;
            }
            std::cout << boost::json::serialize(r) << std::endl;
            return r;
        };
        if (!s.only.empty()) { // one mode, in this process
            if (s.pin)
                pin_to_cpu(0);
            auto r = s.only == "floor" ? run_floor(s) : run(s, true);
            std::cout << boost::json::serialize(r) << std::endl;
            return 0;
        }
        auto pooled = measured(bench_mode::pooled);
        boost::json::object ratio;
        if (s.unpooled) {
            auto unpooled = measured(bench_mode::unpooled);
            ratio["pooled_vs_unpooled_requests_per_s"] =
                pooled["requests_per_s"].as_double() / unpooled["requests_per_s"].as_double();
            ratio["pooled_vs_unpooled_cpu_per_request"] =
                pooled["client_cpu_us_per_request"].as_double() / unpooled["client_cpu_us_per_request"].as_double();
        }
        auto floor = measured(bench_mode::floor);
        // Above 1 for CPU and below 1 for throughput: what batchwire costs over the floor.
        ratio["batchwire_vs_floor_cpu_per_request"] =
            pooled["client_cpu_us_per_request"].as_double() / floor["client_cpu_us_per_request"].as_double();
        ratio["batchwire_vs_floor_requests_per_s"] =
            pooled["requests_per_s"].as_double() / floor["requests_per_s"].as_double();
        std::cout << boost::json::serialize(ratio) << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "client_bench: " << e.what() << '\n';
        return 1;
    }
}
