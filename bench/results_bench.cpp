// Reconciling a batch at the API's maximum size: a 50,000-request input and its ~200 MB of
// output and error files, in bounded memory. Prints one JSON line per measurement.
//
//  floor     read the output and error files from disk, split them into lines and
//            boost::json::parse each line: the least any reader must do
//  local     the same bytes through the library's own pieces (jsonl_line_splitter,
//            batch_output_line parsing, results_reconciler, input_reconciler writing the
//            resubmit file), no network
//  download  collect_results against the emulator (a child process): the files streamed
//            over TLS on loopback, merged, reconciled with the input, resubmit written
//  state     heap bytes per custom_id held by results_reconciler (mallinfo2)
//
// The files are generated in a temporary directory and removed at the end.
//
//   results_bench [--requests 50000] [--output-mb 190]

#include "emulator_process.hpp"

#include <batchwire/client.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/reconcile.hpp>
#include <batchwire/recover.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace batchwire;

namespace {

using steady = std::chrono::steady_clock;

double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

std::size_t heap_in_use() { return mallinfo2().uordblks; }

std::string custom_id(int i)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "request-%05d", i);
    return buf;
}

struct generated {
    fs::path dir, input, output, errors;
    std::uint64_t output_bytes = 0;
    int succeeded = 0, failed = 0, not_run = 0, missing = 0;
};

// Of n requests: 80% succeeded (in the output file, bodies sized to reach output_mb),
// 4% failed with a 400, the rest but the last 10 not run (batch_cancelled), 10 missing.
generated generate(int n, int output_mb)
{
    generated g;
    g.dir = fs::temp_directory_path() / ("batchwire-results-bench-" + std::to_string(::getpid()));
    fs::create_directories(g.dir);
    g.input = g.dir / "input.jsonl";
    g.output = g.dir / "output.jsonl";
    g.errors = g.dir / "errors.jsonl";
    std::ofstream in(g.input, std::ios::binary), out(g.output, std::ios::binary), err(g.errors, std::ios::binary);
    const int ok = n * 80 / 100, bad = n * 4 / 100;
    const std::size_t body_bytes = static_cast<std::size_t>(output_mb) * 1000 * 1000 / static_cast<std::size_t>(ok);
    const std::string filler(body_bytes > 400 ? body_bytes - 400 : 16, 'x');
    for (int i = 0; i < n; ++i) {
        const std::string id = custom_id(i);
        in << R"({"custom_id":")" << id << R"(","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello number )"
           << i << R"("}]}})" << '\n';
        if (i < ok) {
            out << R"({"id":"batch_req_)" << i << R"(","custom_id":")" << id
                << R"(","response":{"status_code":200,"request_id":"req_)" << i
                << R"(","body":{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":")"
                << filler << R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":900,"total_tokens":912}}},"error":null})"
                << '\n';
            ++g.succeeded;
        } else if (i < ok + bad) {
            err << R"({"id":"batch_req_)" << i << R"(","custom_id":")" << id
                << R"(","response":{"status_code":400,"request_id":"req_)" << i
                << R"(","body":{"error":{"message":"bad","type":"invalid_request_error","param":null,"code":null}}},"error":null})"
                << '\n';
            ++g.failed;
        } else if (i < n - 10) {
            err << R"({"id":"batch_req_)" << i << R"(","custom_id":")" << id
                << R"(","response":null,"error":{"code":"batch_cancelled","message":"This request was not executed because the batch was cancelled."}})"
                << '\n';
            ++g.not_run;
        } else {
            ++g.missing;
        }
    }
    out.close();
    err.close();
    g.output_bytes = fs::file_size(g.output) + fs::file_size(g.errors);
    return g;
}

// Reads a file in 1 MiB chunks, handing each to `f`.
template <class F>
void read_chunks(const fs::path& p, F&& f)
{
    std::FILE* file = std::fopen(p.c_str(), "rb");
    if (!file)
        throw std::runtime_error("cannot open " + p.string());
    std::vector<char> buf(1 << 20);
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), file)) > 0;)
        f(std::string_view(buf.data(), n));
    std::fclose(file);
}

// The floor: split and boost::json::parse every line, nothing else.
double floor_run(const generated& g, std::uint64_t& lines)
{
    const auto t = steady::now();
    std::string partial;
    for (const auto& p : {g.output, g.errors}) {
        read_chunks(p, [&](std::string_view chunk) {
            for (std::size_t nl; (nl = chunk.find('\n')) != std::string_view::npos; chunk.remove_prefix(nl + 1)) {
                partial.append(chunk.substr(0, nl));
                boost::json::value v = boost::json::parse(partial);
                lines += v.is_object() ? 1 : 0;
                partial.clear();
            }
            partial.append(chunk);
        });
    }
    return seconds_since(t);
}

// The library's pieces on the same local bytes.
double local_run(const generated& g, results_counts& counts, std::uint64_t& resubmitted)
{
    const auto t = steady::now();
    results_reconciler rec;
    for (const auto& p : {g.output, g.errors}) {
        jsonl_line_splitter split(16u << 20);
        auto on_line = [&](std::string_view line, std::string_view) {
            if (!line.empty())
                rec.add_result(parse_as<batch_output_line>(line));
            return true;
        };
        read_chunks(p, [&](std::string_view chunk) { split.feed(chunk, on_line); });
        split.finish(on_line);
    }
    std::ofstream out(g.dir / "resubmit-local.jsonl", std::ios::binary);
    input_reconciler ir(rec, false, 16u << 20, [&](std::string_view b) {
        out.write(b.data(), static_cast<std::streamsize>(b.size()));
        return static_cast<bool>(out);
    });
    boost::system::error_code ec;
    read_chunks(g.input, [&](std::string_view chunk) { ir.feed(chunk, ec); });
    ir.finish(ec);
    counts = rec.counts();
    resubmitted = ir.resubmitted();
    return seconds_since(t);
}

// collect_results against the emulator; the upload is not timed.
double download_run(const generated& g, results_report& report)
{
    bench::emulator_process emu({});
    client_options o;
    o.base_url = emu.base_url();
    o.api_key = "sk-emulator";
    o.tls.ca_file = emu.ca_file();
    asio::io_context ctx;
    client c(ctx, o);
    double took = 0;
    auto job = [&]() -> asio::awaitable<void> {
        file_upload_params up;
        up.purpose = "user_data"; // served as is; a "batch" upload would be checked as batch input
        up.path = g.output.string();
        const auto out_file = co_await c.upload_file(up);
        up.path = g.errors.string();
        const auto err_file = co_await c.upload_file(up);
        batch b;
        b.id = "batch_bench";
        b.status = batch_status::cancelled;
        b.status_text = "cancelled";
        b.output_file_id = out_file.id;
        b.error_file_id = err_file.id;
        results_options ro;
        ro.input_path = g.input.string();
        ro.resubmit_path = (g.dir / "resubmit.jsonl").string();
        const auto t = steady::now();
        report = co_await collect_results(c, b, ro);
        took = seconds_since(t);
    };
    auto fut = asio::co_spawn(ctx, job(), asio::use_future);
    ctx.run();
    fut.get();
    return took;
}

// Heap bytes per id held by a reconciler of n ids of the given length.
double state_bytes_per_id(int n, std::size_t id_length)
{
    std::vector<std::string> ids;
    ids.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        std::string id = custom_id(i);
        id.resize(std::max(id_length, id.size()), 'k');
        ids.push_back(std::move(id));
    }
    const std::size_t before = heap_in_use();
    double per_id = 0;
    {
        results_reconciler rec;
        for (const auto& id : ids)
            rec.add_result(id, outcome::succeeded);
        per_id = static_cast<double>(heap_in_use() - before) / n;
    }
    return per_id;
}

} // namespace

int main(int argc, char** argv)
{
    int requests = 50000, output_mb = 190;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--requests") == 0)
            requests = std::atoi(argv[i + 1]);
        else if (std::strcmp(argv[i], "--output-mb") == 0)
            output_mb = std::atoi(argv[i + 1]);
    }
    try {
        const generated g = generate(requests, output_mb);
        const double mb = static_cast<double>(g.output_bytes) / 1e6;
        std::cout << boost::json::serialize(boost::json::value{
                         {"input_requests", requests},
                         {"input_mb", static_cast<double>(fs::file_size(g.input)) / 1e6},
                         {"output_and_error_mb", mb},
                         {"expected", {{"succeeded", g.succeeded}, {"failed", g.failed}, {"not_run", g.not_run},
                                       {"missing", g.missing}}}})
                  << std::endl;

        std::uint64_t lines = 0;
        const double floor_s = floor_run(g, lines);
        const double floor_mb_s = mb / floor_s;
        std::cout << boost::json::serialize(boost::json::value{
                         {"run", "floor"}, {"lines", lines}, {"seconds", floor_s}, {"mb_per_s", floor_mb_s},
                         {"peak_rss_kib", bench::peak_rss_kib()}})
                  << std::endl;

        results_counts counts;
        std::uint64_t resubmitted = 0;
        const double local_s = local_run(g, counts, resubmitted);
        std::cout << boost::json::serialize(boost::json::value{
                         {"run", "local"}, {"seconds", local_s}, {"mb_per_s", mb / local_s},
                         {"ratio_to_floor", (mb / local_s) / floor_mb_s},
                         {"counts", {{"succeeded", counts.succeeded}, {"failed", counts.failed},
                                     {"not_run", counts.not_run}, {"missing", counts.missing}}},
                         {"resubmitted", resubmitted}, {"peak_rss_kib", bench::peak_rss_kib()}})
                  << std::endl;

        results_report report;
        const double dl_s = download_run(g, report);
        std::cout << boost::json::serialize(boost::json::value{
                         {"run", "download"}, {"seconds", dl_s}, {"mb_per_s", mb / dl_s},
                         {"ratio_to_floor", (mb / dl_s) / floor_mb_s},
                         {"counts", {{"succeeded", report.counts.succeeded}, {"failed", report.counts.failed},
                                     {"not_run", report.counts.not_run}, {"missing", report.counts.missing}}},
                         {"resubmitted", report.resubmitted}, {"peak_rss_kib", bench::peak_rss_kib()}})
                  << std::endl;

        std::cout << boost::json::serialize(boost::json::value{
                         {"run", "state"}, {"ids", requests},
                         {"bytes_per_id_13_chars", state_bytes_per_id(requests, 13)},
                         {"bytes_per_id_32_chars", state_bytes_per_id(requests, 32)}})
                  << std::endl;
        const bool right = counts.succeeded == static_cast<std::uint64_t>(g.succeeded) &&
                           counts.not_run == static_cast<std::uint64_t>(g.not_run) &&
                           counts.missing == static_cast<std::uint64_t>(g.missing) &&
                           report.counts == counts && resubmitted == static_cast<std::uint64_t>(g.not_run + g.missing);
        std::error_code ec;
        fs::remove_all(g.dir, ec);
        if (!right) {
            std::cerr << "results_bench: the counts are not the generated ones\n";
            return 1;
        }
    } catch (const std::exception& e) {
        std::cerr << "results_bench: " << e.what() << '\n';
        return 1;
    }
}
