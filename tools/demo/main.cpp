// The main job: upload a JSONL of requests, create a batch, wait until it is running with
// some requests done, cancel it, watch it through `cancelling` to `cancelled` with live
// progress, then account for every request (succeeded, failed, not run) by custom_id, write
// the unrun requests' input lines to a resubmit file, check that file, and print a summary.
//
// Without OPENAI_API_KEY it runs against an in-process emulator on loopback (TLS with the
// emulator's generated CA, its clock scaled so the 10-minute cancelling window takes a few
// seconds). With OPENAI_API_KEY it runs the same steps against the API configured by the
// environment (OPENAI_BASE_URL, ...), with a small input of cheap requests.

#include <batchwire/client.hpp>
#include <batchwire/recover.hpp>
#include <batchwire/emulator/server.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace asio = boost::asio;
using namespace batchwire;
using namespace std::chrono_literals;

namespace {

constexpr double emulator_time_scale = 120; // 10 emulated minutes of cancelling in 5 s

std::string clock_text(std::chrono::system_clock::time_point t)
{
    const auto secs = std::chrono::system_clock::to_time_t(t);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&secs));
    char out[40];
    std::snprintf(out, sizeof out, "%s.%03lld", buf, static_cast<long long>(ms));
    return out;
}

std::string counts_text(const batch& b)
{
    if (!b.request_counts)
        return "";
    const auto& c = *b.request_counts;
    return "completed " + std::to_string(c.completed) + "/" + std::to_string(c.total) + ", failed " +
           std::to_string(c.failed);
}

std::string write_input(int n, const std::string& model)
{
    const auto path = (std::filesystem::temp_directory_path() / "batchwire-demo-input.jsonl").string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < n; ++i)
        out << R"({"custom_id":"request-)" << i << R"(","method":"POST","url":"/v1/chat/completions",)"
            << R"("body":{"model":")" << model << R"(","max_tokens":8,"messages":[{"role":"user","content":"Say hello number )"
            << i << R"("}]}})" << '\n';
    return path;
}

struct demo_settings {
    int requests = 300;
    std::int64_t cancel_after_done = 40;
    double server_time_scale = 1;
};

asio::awaitable<int> run_demo(client& c, demo_settings s)
{
    const auto started = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };

    const auto path = write_input(s.requests, "gpt-4o-mini");
    // Parameters as named variables, not braced temporaries inside co_await: see client.hpp.
    const file_upload_params upload{.path = path};
    auto file = co_await c.upload_file(upload);
    std::printf("uploaded   %s (%lld bytes, %d requests)\n", file.id.c_str(), static_cast<long long>(file.bytes),
                s.requests);
    const batch_create_params params{.input_file_id = file.id, .endpoint = "/v1/chat/completions",
                                     .metadata = metadata_map{{"purpose", "batchwire demo"}}};
    auto b = co_await c.create(params);
    std::printf("created    %s (%s)\n", b.id.c_str(), std::string(to_string(b.status)).c_str());

    // Wait until it runs and some requests are done (a few retrieves, one second apart at most).
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        b = co_await c.retrieve(b.id);
        const auto done = b.request_counts ? b.request_counts->completed + b.request_counts->failed : 0;
        if (b.is_terminal() || (b.status == batch_status::in_progress && done >= s.cancel_after_done))
            break;
        timer.expires_after(s.server_time_scale > 1 ? 50ms : 5s);
        co_await timer.async_wait(asio::use_awaitable);
    }
    std::printf("running    %s: %s, %s\n", b.id.c_str(), std::string(to_string(b.status)).c_str(),
                counts_text(b).c_str());

    // Cancel, and follow it to its end.
    std::vector<std::string> transitions;
    watch_options wo;
    wo.server_time_scale = s.server_time_scale;
    wo.initial_interval = s.server_time_scale > 1 ? 100ms : 2s;
    wo.max_interval = s.server_time_scale > 1 ? 250ms : 30s;
    wo.on_transition = [&](const batch_transition& t) {
        const std::string line = clock_text(t.seen_at) + "  " + (t.from ? std::string(to_string(*t.from)) : "-") +
                                 " -> " + std::string(to_string(t.to)) + "  " + counts_text(t.snapshot);
        std::printf("%s %s\n", t.progress_only ? "progress  " : "transition", line.c_str());
        std::fflush(stdout);
        if (!t.progress_only)
            transitions.push_back(line);
    };
    // Cancel, follow it to its end, then account for every request by custom_id and write
    // the ones that never ran to a resubmit file: one call.
    recover_options ro;
    ro.watch = wo;
    ro.results.input_path = path;
    ro.results.resubmit_path =
        (std::filesystem::temp_directory_path() / ("batchwire-demo-" + b.id + "-resubmit.jsonl")).string();
    std::vector<std::string> sample;
    ro.results.on_result = [&](outcome o, const batch_output_line& l) {
        if (sample.size() < 3 && o == outcome::succeeded)
            sample.push_back(l.custom_id + " -> HTTP " + std::to_string(l.response->status_code));
    };
    std::printf("cancelling %s\n", b.id.c_str());
    const double cancel_started = elapsed();
    const results_report report = co_await cancel_and_recover(c, b.id, ro);
    const batch& final_batch = report.final_batch;
    const double cancel_took = elapsed() - cancel_started;
    const results_counts& n = report.counts;
    const std::uint64_t unrun = n.not_run + n.missing;

    // Check the claim: the resubmit file holds exactly the unrun requests, each an input line.
    std::set<std::string> input_lines;
    {
        std::ifstream in(path, std::ios::binary);
        for (std::string l; std::getline(in, l);)
            input_lines.insert(l);
    }
    std::uint64_t resubmit_lines = 0;
    bool all_from_input = true;
    {
        std::ifstream in(report.resubmit_path, std::ios::binary);
        for (std::string l; std::getline(in, l); ++resubmit_lines)
            all_from_input = all_from_input && input_lines.count(l) == 1;
    }
    const bool accounted = n.total() == static_cast<std::uint64_t>(s.requests);
    const bool verified = accounted && resubmit_lines == unrun && report.resubmitted == unrun && all_from_input;

    std::printf("\nsummary\n");
    std::printf("  batch         %s ended %s after %.1f s of cancelling\n", final_batch.id.c_str(),
                std::string(to_string(final_batch.status)).c_str(), cancel_took);
    for (const auto& t : transitions)
        std::printf("  transition    %s\n", t.c_str());
    std::printf("  counts        %s\n", counts_text(final_batch).c_str());
    std::printf("  output file   %s (%llu lines)\n", final_batch.output_file_id.value_or("(none)").c_str(),
                static_cast<unsigned long long>(report.output_lines));
    std::printf("  error file    %s (%llu lines)\n", final_batch.error_file_id.value_or("(none)").c_str(),
                static_cast<unsigned long long>(report.error_lines));
    std::printf("  requests      %d: %llu succeeded, %llu failed, %llu not run (%llu never ran, %llu in no file)\n",
                s.requests, static_cast<unsigned long long>(n.succeeded), static_cast<unsigned long long>(n.failed),
                static_cast<unsigned long long>(unrun), static_cast<unsigned long long>(n.not_run),
                static_cast<unsigned long long>(n.missing));
    for (const auto& s2 : sample)
        std::printf("                %s\n", s2.c_str());
    std::printf("  resubmit      %s: %llu lines, the unrun requests byte for byte (%s)\n", report.resubmit_path.c_str(),
                static_cast<unsigned long long>(resubmit_lines),
                verified ? "checked: every request accounted for, every line an input line"
                         : "CHECK FAILED: the counts or the lines do not match");
    std::printf("  connections   %llu opened, %llu requests on reused ones\n",
                static_cast<unsigned long long>(c.stats().opened), static_cast<unsigned long long>(c.stats().reused));
    std::printf("  total time    %.1f s\n", elapsed());
    std::filesystem::remove(path);
    const bool ended = final_batch.status == batch_status::cancelled || final_batch.status == batch_status::completed;
    co_return ended && verified ? 0 : 1;
}

// The in-process emulator on a thread of its own, stopped and joined on every way out.
class local_emulator {
public:
    explicit local_emulator(emulator::emulator_options o) : server_(ctx_.get_executor(), std::move(o))
    {
        server_.start();
        thread_ = std::thread([this] { ctx_.run(); });
    }
    ~local_emulator()
    {
        server_.stop();
        thread_.join();
    }
    local_emulator(const local_emulator&) = delete;
    local_emulator& operator=(const local_emulator&) = delete;
    emulator::server& server() { return server_; }

private:
    asio::io_context ctx_;
    emulator::server server_;
    std::thread thread_;
};

} // namespace

int main()
{
    try {
        asio::io_context ctx;
        const char* key = std::getenv("OPENAI_API_KEY");
        std::optional<local_emulator> emu;
        client_options opts;
        demo_settings settings;
        if (key && *key) {
            opts = client_options::from_env();
            settings.requests = 20;
            settings.cancel_after_done = 1;
            std::printf("against %s (OPENAI_API_KEY is set)\n", opts.base_url.c_str());
        } else {
            emulator::emulator_options eo;
            eo.time_scale = emulator_time_scale;
            eo.requests_per_second = 0.5; // 60 requests per wall second at this scale
            eo.validating_duration = std::chrono::seconds(10);
            emu.emplace(eo);
            opts.base_url = emu->server().base_url();
            opts.api_key = eo.api_key;
            opts.tls.ca_pem = emu->server().ca_pem();
            settings.server_time_scale = emulator_time_scale;
            std::printf("against the local emulator at %s (TLS, CA %s; clock x%.0f: the 10-minute cancelling window "
                        "takes %.0f s)\n",
                        opts.base_url.c_str(), emu->server().ca_file().c_str(), emulator_time_scale,
                        600 / emulator_time_scale);
        }
        client c(ctx, opts);
        auto result = asio::co_spawn(ctx, run_demo(c, settings), asio::use_future);
        ctx.run();
        return result.get();
    } catch (const exception& e) {
        std::fprintf(stderr, "batchwire-demo: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "batchwire-demo: %s\n", e.what());
        return 1;
    }
}
