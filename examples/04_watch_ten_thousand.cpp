// 04: one thread, ten thousand batches.
//
// Uploads one small input file, creates N batches from it (64 requests in flight at a
// time), then cancels all N and watches every one of them to its end, all at once, on ONE
// thread: one io_context, run by main. A watcher is a timer and some state, not a thread,
// and an idle watcher costs no CPU; the connection pool (32 connections by default) carries
// the requests, queueing the rest in order. At the end it prints how many batches ended in
// each status, the time each phase took and the process's peak resident memory.
//
// usage: example_04_watch_many [--count N] [--concurrency K] [--poll-interval-ms N]
//                              [--server-time-scale X]
//
//   --count N               batches to create (default 10000)
//   --concurrency K         create requests in flight at once (default 64)
//   --poll-interval-ms N    poll each batch every N ms (default: 1 s growing to 30 s)
//   --server-time-scale X   the emulator's --time-scale (see example 02)
//
// Meant for the emulator. Against the real API every batch is a real batch (requests that
// run before the cancel are billed) and batch creation is rate limited: there, --count
// must be given explicitly, and should be small.
//
// Environment: OPENAI_API_KEY, OPENAI_BASE_URL, SSL_CERT_FILE (see example 01).

#include <batchwire/client.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using boost::system::error_code;

namespace {

struct settings {
    std::size_t count = 10000;
    bool count_given = false;
    std::size_t concurrency = 64;
    std::optional<std::chrono::milliseconds> poll_interval;
    double server_time_scale = 1.0;
};

std::optional<settings> parse_arguments(int argc, char** argv)
{
    settings s;
    try {
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string_view flag = argv[i];
            const std::string value = argv[i + 1];
            if (flag == "--count") {
                s.count = std::stoul(value);
                s.count_given = true;
            } else if (flag == "--concurrency") {
                s.concurrency = std::stoul(value);
            } else if (flag == "--poll-interval-ms") {
                s.poll_interval = std::chrono::milliseconds(std::stoll(value));
            } else if (flag == "--server-time-scale") {
                s.server_time_scale = std::stod(value);
            } else {
                return std::nullopt;
            }
        }
    } catch (const std::exception&) { // not a number
        return std::nullopt;
    }
    if (argc % 2 == 0 || s.concurrency == 0 || s.server_time_scale <= 0 ||
        (s.poll_interval && s.poll_interval->count() <= 0))
        return std::nullopt;
    return s;
}

// Lets one coroutine wait until `n` others have finished: a timer that never expires on its
// own, cancelled by the last of them. No locking: everything runs on the one thread.
class countdown {
public:
    countdown(asio::any_io_executor ex, std::size_t n) : timer_(ex, asio::steady_timer::time_point::max()), left_(n) {}
    void count_down()
    {
        if (--left_ == 0)
            timer_.cancel();
    }
    asio::awaitable<void> wait()
    {
        if (left_ > 0)
            co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable)); // ends with operation_aborted
    }

private:
    asio::steady_timer timer_;
    std::size_t left_;
};

// What happened to the batches: how many ended in each status, and the errors.
struct tally {
    std::map<std::string, std::size_t> by_status;
    std::size_t create_errors = 0;
    std::size_t watch_errors = 0;
    std::string first_error;

    void error(const error_code& ec, const diagnostics& diag, std::size_t& counter)
    {
        ++counter;
        if (first_error.empty())
            first_error = describe(ec, diag);
    }
};

// A small JSONL input file: every batch created from it runs the same three requests.
std::string write_input_file()
{
    const auto path = std::filesystem::temp_directory_path() /
                      ("batchwire-example-04-" + std::to_string(::getpid()) + ".jsonl");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 3; ++i)
        out << R"({"custom_id":"request-)" << i << R"(","method":"POST","url":"/v1/chat/completions",)"
            << R"("body":{"model":"gpt-4o-mini","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}})"
            << '\n';
    return path.string();
}

// One of `concurrency` workers: takes the next index until all N batches exist. Being on one
// thread, the workers share `next` without a lock.
asio::awaitable<void> create_worker(client& c, const batch_create_params& params, std::vector<std::string>& ids,
                                    std::size_t& next, tally& t, countdown& done)
{
    while (next < ids.size()) {
        const std::size_t i = next++;
        diagnostics diag;
        auto [ec, b] = co_await c.async_create(params, diag, asio::as_tuple(asio::use_awaitable));
        if (ec)
            t.error(ec, diag, t.create_errors);
        else
            ids[i] = std::move(b.id);
    }
    done.count_down();
}

// Cancels one batch and watches it to its end (cancel_and_watch: the cancel, then
// watch_until_terminal). A batch that had already ended comes back as it is.
asio::awaitable<void> cancel_and_watch_one(client& c, std::string id, watch_options opts, tally& t, countdown& done)
{
    diagnostics diag;
    auto [ec, b] = co_await async_cancel_and_watch(c, id, std::move(opts), diag, asio::as_tuple(asio::use_awaitable));
    if (ec)
        t.error(ec, diag, t.watch_errors);
    else
        ++t.by_status[std::string(to_string(b.status))];
    done.count_down();
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

long peak_rss_kib()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss; // KiB on Linux
}

asio::awaitable<void> run(client& c, settings s, tally& t)
{
    const auto ex = co_await asio::this_coro::executor;

    // 1. One input file for every batch.
    // Parameters go in named variables (g++ 12: see the top of client.hpp).
    const file_upload_params upload{.path = write_input_file()};
    file_object input = co_await c.upload_file(upload);
    std::filesystem::remove(upload.path);
    std::cout << "uploaded " << input.id << " (" << input.bytes << " bytes)\n";

    // 2. N batches, at most `concurrency` create requests at a time.
    const batch_create_params params{.input_file_id = input.id, .endpoint = "/v1/chat/completions"};
    std::vector<std::string> ids(s.count);
    std::size_t next = 0;
    auto start = std::chrono::steady_clock::now();
    {
        const std::size_t workers = std::min(s.concurrency, s.count);
        countdown created(ex, workers);
        for (std::size_t w = 0; w < workers; ++w)
            asio::co_spawn(ex, create_worker(c, params, ids, next, t, created), asio::detached);
        co_await created.wait();
    }
    std::erase(ids, std::string{}); // the ones that failed to be created
    std::cout << "created " << ids.size() << " batches in " << seconds_since(start) << " s (" << s.concurrency
              << " requests in flight); peak RSS so far " << peak_rss_kib() / 1024.0 << " MiB\n";

    // 3. Cancel and watch all of them at once. Each watch is a coroutine frame and a timer;
    //    the io_context's one thread serves them all.
    watch_options opts;
    opts.server_time_scale = s.server_time_scale;
    if (s.poll_interval)
        opts.initial_interval = opts.max_interval = *s.poll_interval;
    start = std::chrono::steady_clock::now();
    {
        countdown ended(ex, ids.size());
        for (const std::string& id : ids)
            asio::co_spawn(ex, cancel_and_watch_one(c, id, opts, t, ended), asio::detached);
        std::cout << "cancelling and watching " << ids.size() << " batches on one thread\n";
        co_await ended.wait();
    }
    std::cout << "all watches ended in " << seconds_since(start) << " s\n";
}

} // namespace

int main(int argc, char** argv)
{
    const auto s = parse_arguments(argc, argv);
    if (!s) {
        std::cerr << "usage: " << argv[0]
                  << " [--count N] [--concurrency K] [--poll-interval-ms N] [--server-time-scale X]\n";
        return 2;
    }
    try {
        client_options opts = client_options::from_env();
        if (opts.base_url.find("api.openai.com") != std::string::npos && !s->count_given) {
            std::cerr << "this is the real API: pass --count explicitly (and keep it small)\n";
            return 2;
        }

        asio::io_context ctx; // run by this thread only
        client c(ctx, std::move(opts));
        tally t;
        auto done = asio::co_spawn(ctx, run(c, *s, t), asio::use_future);
        ctx.run();
        done.get();

        std::size_t ended = 0;
        std::cout << "ended by status:\n";
        for (const auto& [status, n] : t.by_status) {
            std::cout << "  " << status << ": " << n << '\n';
            ended += n;
        }
        std::cout << "total: " << ended << '\n'
                  << "errors: " << t.create_errors << " creating, " << t.watch_errors << " watching\n";
        if (!t.first_error.empty())
            std::cout << "first error: " << t.first_error << '\n';
        std::cout << "peak RSS: " << peak_rss_kib() / 1024.0 << " MiB\n";
        return t.create_errors == 0 && t.watch_errors == 0 && ended == s->count ? 0 : 1;
    } catch (const exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
