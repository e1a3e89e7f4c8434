// collect_results: a finished batch's output and error files, streamed through the
// reconciler, then the local input; files written whole or not at all.

#include "collect_results.hpp"
#include "batch_lines_download.hpp"
#include "cancellation_check.hpp"
#include "client_access.hpp"
#include "client_state.hpp"
#include "part_file.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <tuple>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t input_chunk_bytes = 256 * 1024;

// A null or empty id: the batch has no such file.
bool has_file(const std::optional<std::string>& id) { return id && !id->empty(); }

// A coroutine, so that its arguments live until the read completes.
asio::awaitable<std::tuple<error_code, std::uint64_t>> read_lines(std::shared_ptr<client_state> st, std::string id,
                                                                  batch_line_handler on_line, request_options ro,
                                                                  diagnostics& diag)
{
    co_return co_await asio::async_initiate<decltype(use_tuple), void(error_code, std::uint64_t)>(
        [&](auto h) {
            launch_read_lines(st, std::move(id), std::move(on_line), std::move(ro), &diag,
                              asio::any_completion_handler<void(error_code, std::uint64_t)>(std::move(h)));
        },
        use_tuple);
}

struct collect_run {
    std::shared_ptr<client_state> st;
    const results_options& opts;
    op_result<results_report>& r;
    results_reconciler rec;
    part_file outcomes;
    part_file resubmit;

    void fail(error_code ec, std::string message)
    {
        r.ec = ec;
        r.diag.message = std::move(message);
    }

    // Streams one file through the reconciler (and the outcomes file, and on_result).
    asio::awaitable<bool> read_file(const std::string& id, std::uint64_t& lines)
    {
        bool write_failed = false;
        std::string record;
        batch_line_handler on_line = [&](batch_output_line&& l, error_code& ec) {
            const auto o = rec.add_result(l);
            if (!o)
                return; // a duplicate: counted, the first line stands
            if (outcomes.is_open()) {
                record = boost::json::serialize(outcome_record(*o, l));
                record.push_back('\n');
                if (!outcomes.write(record)) {
                    write_failed = true;
                    ec = error::file_error;
                    return;
                }
            }
            if (opts.on_result)
                opts.on_result(*o, l);
        };
        auto [ec, n] = co_await read_lines(st, id, std::move(on_line), opts.download, r.diag);
        lines = n;
        if (write_failed)
            fail(error::file_error, "cannot write '" + opts.outcomes_path + ".part'");
        else if (ec)
            r.ec = ec;
        co_return !ec && !write_failed;
    }

    // The local input, a chunk at a time, yielding between chunks.
    asio::awaitable<bool> reconcile_input()
    {
        std::string why;
        if (!opts.resubmit_path.empty() && !resubmit.open(opts.resubmit_path, why)) {
            fail(error::file_error, why);
            co_return false;
        }
        const std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(opts.input_path.c_str(), "rb"),
                                                                  &std::fclose);
        if (!in) {
            fail(error::file_error, "cannot open the input '" + opts.input_path + "': " + std::strerror(errno));
            co_return false;
        }
        input_reconciler ir(rec, opts.resubmit_failed, opts.max_input_line_bytes, [this](std::string_view bytes) {
            return !resubmit.is_open() || resubmit.write(bytes);
        });
        const auto cs = co_await asio::this_coro::cancellation_state;
        const auto ex = co_await asio::this_coro::executor;
        std::string buf(input_chunk_bytes, '\0');
        error_code ec;
        for (;;) {
            const std::size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
            if (n == 0)
                break;
            if (!ir.feed(std::string_view(buf.data(), n), ec)) {
                fail(ec, ir.why());
                co_return false;
            }
            co_await asio::post(ex, asio::use_awaitable); // let other work run between chunks
            if (is_cancelled(cs)) {
                fail(error::cancelled, "cancelled while reading the input");
                co_return false;
            }
        }
        if (std::ferror(in.get())) {
            fail(error::file_error, "cannot read the input '" + opts.input_path + "'");
            co_return false;
        }
        if (!ir.finish(ec)) {
            fail(ec, ir.why());
            co_return false;
        }
        r.value.resubmitted = ir.resubmitted();
        co_return true;
    }

    // What is known, on success and on failure alike.
    void report()
    {
        results_report& rep = r.value;
        rep.counts = rec.counts();
        rep.reconciled = rec.reconciled();
        rep.duplicate_results = rec.duplicate_results();
        rep.duplicate_inputs = rec.duplicate_inputs();
        rep.unknown_ids = rec.unknown_ids();
    }

    asio::awaitable<void> run()
    {
        const batch& b = r.value.final_batch;
        if (!b.is_terminal()) {
            fail(error::invalid_argument, "batch " + b.id + " is " + b.status_text +
                                              ": its results are final only once it has ended");
            co_return;
        }
        if (!opts.resubmit_path.empty() && opts.input_path.empty()) {
            fail(error::invalid_argument, "a resubmit file needs the batch's input file");
            co_return;
        }
        std::string why;
        if (!opts.outcomes_path.empty() && !outcomes.open(opts.outcomes_path, why)) {
            fail(error::file_error, why);
            co_return;
        }
        const auto cs = co_await asio::this_coro::cancellation_state;
        if (has_file(b.output_file_id) && !co_await read_file(*b.output_file_id, r.value.output_lines))
            co_return;
        if (has_file(b.error_file_id) && !co_await read_file(*b.error_file_id, r.value.error_lines))
            co_return;
        if (is_cancelled(cs)) {
            fail(error::cancelled, "cancelled");
            co_return;
        }
        if (!opts.input_path.empty() && !co_await reconcile_input())
            co_return;
        if ((resubmit.is_open() && !resubmit.commit(why)) || (outcomes.is_open() && !outcomes.commit(why))) {
            fail(error::file_error, why);
            co_return;
        }
        r.value.resubmit_path = opts.resubmit_path;
        r.value.outcomes_path = opts.outcomes_path;
    }
};

} // namespace

asio::awaitable<op_result<results_report>> collect_results_call(std::shared_ptr<client_state> st, batch b,
                                                                results_options opts)
{
    // Every cancellation type stops it (the downloads pass it on as their own).
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    co_await asio::this_coro::throw_if_cancelled(false);
    op_result<results_report> r;
    r.value.final_batch = std::move(b);
    collect_run run{std::move(st), opts, r, results_reconciler(opts.max_listed_ids), {}, {}};
    co_await run.run();
    run.report();
    co_return r;
}

void launch_collect_results(const client& c, batch b, results_options opts, diagnostics* diag, results_handler h)
{
    const auto& st = client_access::state(c);
    launch_operation<results_report>(st->op_executors, diag, std::move(h),
                                     collect_results_call(st, std::move(b), std::move(opts)));
}

} // namespace batchwire::detail
