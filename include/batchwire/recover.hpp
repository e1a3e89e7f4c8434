#ifndef BATCHWIRE_RECOVER_HPP
#define BATCHWIRE_RECOVER_HPP

// After a batch has ended (above all after a cancel): every request accounted for, and the
// ones that never ran ready to resubmit.
//
//   collect_results     a finished batch's output and error files, streamed, merged into
//                       one outcome per custom_id (results.hpp), optionally reconciled with
//                       the local input file and written out
//   cancel_and_recover  cancel -> watch to the end (watch.hpp) -> collect_results
//
// Both come in the forms of every client operation (client.hpp says what is common to
// them: executor, lifetimes, retries of each download, credentials). The client object
// must exist when the operation starts (with a deferred token: when it is launched);
// after that it may be destroyed while the operation runs.
//
//   throwing awaitable    results_report r = co_await collect_results(c, b, opts);
//   error code + diag     auto [ec, r] = co_await async_collect_results(c, b, opts, diag, asio::as_tuple(asio::use_awaitable));
//   any completion token  async_collect_results(c, b, opts, diag, [](error_code ec, results_report r) {...});
//
// Files written (the resubmit file, the outcomes file) go to "<path>.part" and are renamed
// into place only when everything succeeded: after any failure (a download cut midway, a
// bad input line, cancellation) neither the file nor its .part exists. An existing file
// at the path is replaced only on success.
//
// Memory: one output or error line at a time (response_limits::max_line_bytes), one input
// line at a time (results_options::max_input_line_bytes), plus a few dozen bytes per
// distinct custom_id (reconcile.hpp).

#include <batchwire/batch.hpp>
#include <batchwire/client.hpp>
#include <batchwire/error.hpp>
#include <batchwire/reconcile.hpp>
#include <batchwire/results.hpp>
#include <batchwire/watch.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace batchwire {

struct results_options {
    // The batch's input JSONL, as uploaded. Set: every input custom_id is classified
    // (`missing` when in neither file) and counts() are the input's. Empty: no reconciling.
    std::string input_path;
    // Needs input_path. The original input lines of the not_run and missing requests (and
    // the failed ones with resubmit_failed), byte for byte: a new batch's input. Written
    // even when empty (no line to resubmit).
    std::string resubmit_path;
    bool resubmit_failed = false;
    // One JSON line per custom_id (outcome_record in results.hpp), output file first.
    std::string outcomes_path;
    // Called with the first line of each custom_id as it streams by (output file first,
    // then error file), on the operation's strand: it must not block.
    std::function<void(outcome, const batch_output_line&)> on_result;
    std::size_t max_listed_ids = 20;               // duplicates and unknown ids listed (all counted)
    std::size_t max_input_line_bytes = 64u << 20;  // an input line longer is invalid_argument
    request_options download;                      // per download (timeouts, retries)
};

struct results_report {
    batch final_batch;           // the batch whose files were read: its id and status
    results_counts counts;       // per input id when reconciled, else per custom_id of the files
    bool reconciled = false;     // input_path was given
    std::uint64_t output_lines = 0;
    std::uint64_t error_lines = 0;
    reported_ids duplicate_results; // custom_ids with more than one line (the first one counts)
    reported_ids unknown_ids;       // in the files but not in the input
    reported_ids duplicate_inputs;  // custom_ids the input had more than once (resubmitted once)
    std::string resubmit_path;      // written; empty when not asked
    std::uint64_t resubmitted = 0;  // lines in it
    std::string outcomes_path;      // written; empty when not asked
};

struct recover_options {
    watch_options watch;     // as for cancel_and_watch (on_transition, deadlines, ...)
    results_options results;
};

namespace detail {
using results_handler = boost::asio::any_completion_handler<void(boost::system::error_code, results_report)>;
// The type-erased starts of the operations below: compiled once, in the library.
void launch_collect_results(const client& c, batch b, results_options opts, diagnostics* diag, results_handler h);
void launch_cancel_and_recover(const client& c, std::string id, recover_options opts, diagnostics* diag,
                               results_handler h);
} // namespace detail

// Reads the output and error files of `b` (a batch that has ended: completed, failed,
// expired or cancelled), merges them by custom_id and, per `opts`, reconciles with the
// input and writes the resubmit and outcomes files.
//
// Handler: void(error_code, results_report). On failure the report holds what was known
// (final_batch, the counts so far); no file was written.
// Cancellation (any type: terminal, partial, total, through the handler's slot): the
// running download stops, the .part files are removed, completes with error::cancelled.
// Nothing is sent to the batch: cancelling this never changes it.
// Errors: invalid_argument (a batch that has not ended: its files are not final; a
// resubmit_path without input_path; a bad input line, named in diag.message), file_error
// (the input cannot be read, a file cannot be written), the download's errors
// (connection_lost for a download cut midway, invalid_response for a line that is not an
// output line, not_found, ...), cancelled.
// Thread safety: distinct operations are independent; `opts.on_result` runs on the
// operation's strand. `b` and `opts` are copied at initiation; `diag` must outlive it.
template <class Token>
auto async_collect_results(client& c, const batch& b, const results_options& opts, diagnostics& diag, Token&& token)
{
    return boost::asio::async_initiate<Token, void(boost::system::error_code, results_report)>(
        [&c](auto h, batch bb, results_options o, diagnostics* d) {
            detail::launch_collect_results(c, std::move(bb), std::move(o), d, detail::results_handler(std::move(h)));
        },
        token, b, opts, &diag);
}

// Cancels the batch, watches it to its end (cancel_and_watch, with opts.watch), then
// collect_results with opts.results: what most callers want after deciding to stop.
// A batch that had already ended is not cancelled again; its results are collected as
// they are.
//
// Handler: void(error_code, results_report). Errors: those of cancel_and_watch
// (watch_deadline_exceeded with the last snapshot in final_batch, ...), then those of
// collect_results.
// Cancellation (any type): during the cancel request as for client::async_cancel (the
// batch may be cancelling: diag.request_may_have_been_processed); during the watch the
// watcher leaves; during the downloads as for collect_results. Completes with
// error::cancelled and no file written.
// Thread safety: as for async_collect_results.
template <class Token>
auto async_cancel_and_recover(client& c, std::string_view batch_id, const recover_options& opts, diagnostics& diag,
                              Token&& token)
{
    return boost::asio::async_initiate<Token, void(boost::system::error_code, results_report)>(
        [&c](auto h, std::string id, recover_options o, diagnostics* d) {
            detail::launch_cancel_and_recover(c, std::move(id), std::move(o), d,
                                              detail::results_handler(std::move(h)));
        },
        token, std::string(batch_id), opts, &diag);
}

// Throwing forms: batchwire::exception, or watch_deadline_error for the watch's deadline.
// (Overloads, not default arguments: see client.hpp.)
boost::asio::awaitable<results_report> collect_results(client& c, batch b);
boost::asio::awaitable<results_report> collect_results(client& c, batch b, results_options opts);
boost::asio::awaitable<results_report> cancel_and_recover(client& c, std::string batch_id);
boost::asio::awaitable<results_report> cancel_and_recover(client& c, std::string batch_id, recover_options opts);

} // namespace batchwire

#endif
