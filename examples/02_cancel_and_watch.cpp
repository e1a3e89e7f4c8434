// 02: cancel a batch and watch it until it has ended.
//
// A cancel only *starts* cancelling: the batch stays `cancelling` for up to 10 minutes
// while requests in flight finish, then becomes `cancelled`, with an output file holding
// the results that did complete. cancel_and_watch does both steps: it cancels, then polls
// (with backoff, honouring the server's poll hint) until the batch reaches a terminal
// status, reporting every transition on the way.
//
// usage: example_02_cancel_and_watch <batch_id> [--poll-interval-ms N] [--server-time-scale X]
//
//   --poll-interval-ms N    poll every N ms (no backoff); default: 1 s growing to 30 s
//   --server-time-scale X   the server's seconds per local second: 1 for the real API (the
//                           default), the emulator's --time-scale for a scaled emulator.
//                           The watch derives its deadline (the 10-minute cancelling window)
//                           from server timestamps, so it needs to know.
//
// Environment: OPENAI_API_KEY, OPENAI_BASE_URL, SSL_CERT_FILE (see example 01).

#include <batchwire/client.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using namespace batchwire;

namespace {

struct arguments {
    std::string batch_id;
    std::optional<std::chrono::milliseconds> poll_interval;
    double server_time_scale = 1.0;
};

// Minimal argument parsing; returns nullopt on bad usage.
std::optional<arguments> parse_arguments(int argc, char** argv)
{
    arguments a;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg == "--poll-interval-ms" && i + 1 < argc)
                a.poll_interval = std::chrono::milliseconds(std::stoll(argv[++i]));
            else if (arg == "--server-time-scale" && i + 1 < argc)
                a.server_time_scale = std::stod(argv[++i]);
            else if (!arg.starts_with("--") && a.batch_id.empty())
                a.batch_id = arg;
            else
                return std::nullopt;
        }
    } catch (const std::exception&) { // stoll/stod: not a number
        return std::nullopt;
    }
    if (a.batch_id.empty() || a.server_time_scale <= 0 || (a.poll_interval && a.poll_interval->count() <= 0))
        return std::nullopt;
    return a;
}

std::string counts_text(const batch& b)
{
    if (!b.request_counts)
        return "";
    const auto& n = *b.request_counts;
    return " (completed " + std::to_string(n.completed) + "/" + std::to_string(n.total) + ", failed " +
           std::to_string(n.failed) + ")";
}

asio::awaitable<void> cancel_and_follow(client& c, arguments args)
{
    watch_options opts;
    opts.server_time_scale = args.server_time_scale;
    if (args.poll_interval)
        opts.initial_interval = opts.max_interval = *args.poll_interval;

    // Called for the first snapshot (the cancel's answer, `from` empty), for every change
    // of status, and for progress (request_counts changing) within a status. It runs on the
    // watch's strand: keep it short and never block in it.
    opts.on_transition = [](const batch_transition& t) {
        if (!t.from)
            std::cout << "  " << to_string(t.to);
        else if (t.progress_only)
            std::cout << "  " << to_string(t.to) << " (progress)";
        else
            std::cout << "  " << to_string(*t.from) << " -> " << to_string(t.to);
        std::cout << counts_text(t.snapshot) << '\n';
    };

    std::cout << "cancel_and_watch " << args.batch_id << ":\n";
    batch b = co_await cancel_and_watch(c, args.batch_id, opts);

    std::cout << "final status:   " << to_string(b.status) << '\n'
              << "output_file_id: " << b.output_file_id.value_or("(none)") << '\n'
              << "error_file_id:  " << b.error_file_id.value_or("(none)") << '\n';
}

} // namespace

int main(int argc, char** argv)
{
    const auto args = parse_arguments(argc, argv);
    if (!args) {
        std::cerr << "usage: " << argv[0] << " <batch_id> [--poll-interval-ms N] [--server-time-scale X]\n";
        return 2;
    }
    try {
        asio::io_context ctx;
        client c(ctx, client_options::from_env());
        auto done = asio::co_spawn(ctx, cancel_and_follow(c, *args), asio::use_future);
        ctx.run();
        done.get();
        return 0;
    } catch (const watch_deadline_error& e) {
        // The batch was still not terminal when the deadline passed (derived from the
        // cancelling window, or watch_options::timeout). The last snapshot says where it was.
        std::cerr << "gave up: " << e.what() << "; last status " << to_string(e.last_snapshot().status) << '\n';
        return 1;
    } catch (const exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
