#ifndef BATCHWIRE_WATCH_HPP
#define BATCHWIRE_WATCH_HPP

// watch_until_terminal: follows a batch through its statuses until it ends (completed,
// failed, expired, cancelled) or its deadline passes, reporting every transition.
//
// - Holds no thread and no coroutine while it waits: a watched batch is a registry entry,
//   a timer wait and its last snapshot, packed (about 1.5 KB of heap with its watcher,
//   bench/watch_bench), so one thread can watch tens of thousands of batches. An idle
//   watcher uses no CPU.
// - Watchers of the same batch on the same client share one poll loop: K watchers cost one
//   request per poll. Each receives the transitions from the moment it joined. The loop
//   stops (its timer and request cancelled) when the last watcher leaves.
// - Polling: starts at initial_interval, grows by backoff_factor (with jitter) up to
//   max_interval, and honours the server's openai-poll-after-ms within
//   [min_server_hint, max_server_hint] (a hint of 0 never makes it poll in a tight loop).
// - Woken by webhook events (woken_by_events, see watch_wakeup.hpp): a verified event for
//   the batch makes the loop retrieve it at once; the regular polls become a slow fallback
//   that ends the watch even when an event is lost: every fallback_interval, flat (no
//   backoff from initial_interval up to it). A server hint can lengthen that wait (to the
//   hint within [min_server_hint, max_server_hint]) but never shorten it. A failed poll is
//   retried as a polling watch retries it (backoff within [initial_interval,
//   max_interval]), never later than fallback_interval.
// - Watchers with different settings on one loop: after each poll the loop waits the
//   shortest interval any of its current watchers asks for (each planned from the loop's
//   last interval). A watcher that joins a sleeping loop and asks for an earlier poll (its
//   initial_interval, or its fallback_interval, from the loop's last poll) brings the next
//   poll forward. Poll requests use the options of the watcher that started the loop.
// - Errors while polling: transient ones (network, timeouts, 429, 5xx) are retried within
//   the watch and reported to on_poll_error; permanent ones (401, 403, 404, ...) end the
//   watch with that error.
// - Deadline: `timeout` when set; otherwise derived from the batch: a batch in `cancelling`
//   gets cancelling_window from its cancelling_at, any other status runs until its
//   expires_at; both plus `grace`. Server timestamps are compared with the server's clock
//   (its Date header), converted to local time with server_time_scale. Passing the
//   deadline completes with error::watch_deadline_exceeded and the last snapshot.
// - Cancellation (any type, through the handler's cancellation slot): the watcher leaves
//   at once and completes with error::cancelled; nothing of it stays behind.
// - Lifetimes: `c` must be alive when the operation is initiated (for a deferred token,
//   when it is launched); the watch then holds the client's shared state, so `c` may be
//   destroyed while it runs. `diag` must outlive the operation.
// - Executor: completes on the handler's associated executor; callbacks run on the shared
//   poll loop's strand (serialised per batch), so they must not block.

#include <batchwire/batch.hpp>
#include <batchwire/client.hpp>
#include <batchwire/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace batchwire {

struct batch_transition {
    std::optional<batch_status> from; // nullopt for the first snapshot a watcher sees
    batch_status to = batch_status::unknown;
    bool progress_only = false;       // same status, request_counts changed
    batch snapshot;
    std::chrono::system_clock::time_point seen_at;
};

struct watch_options {
    std::chrono::milliseconds initial_interval{1000};
    std::chrono::milliseconds max_interval{30000};
    double backoff_factor = 1.5;
    // The server's openai-poll-after-ms, when sent with a successful poll, replaces the
    // interval to the next poll, clamped to [min_server_hint, max_server_hint]: a hint of 0
    // (or 1) waits min_server_hint, a huge one max_server_hint. A negative or non-numeric
    // hint is ignored. A floor above the cap is lowered to the cap; the floor is at least 1 ms.
    std::chrono::milliseconds max_server_hint{30000}; // cap on openai-poll-after-ms
    std::chrono::milliseconds min_server_hint{100};   // floor of openai-poll-after-ms

    // The whole watch; unset: derived from the batch (see above).
    std::optional<std::chrono::milliseconds> timeout;
    std::chrono::seconds cancelling_window{600}; // "up to 10 minutes" (API reference)
    std::chrono::milliseconds grace{60000};
    // Server seconds per local second: 1 for the real API, the emulator's time scale for a
    // scaled emulator, so that derived deadlines stay right.
    double server_time_scale = 1.0;

    // Each transition and, when report_progress, each change of request_counts.
    std::function<void(const batch_transition&)> on_transition;
    bool report_progress = true;
    // A failed poll that the watch will retry.
    std::function<void(const boost::system::error_code&, const diagnostics&)> on_poll_error;
    // Per poll request (timeouts, retries of one poll).
    request_options poll_request;

    // Verified webhook events wake this watch (watch_wakeup.hpp), and its regular polls
    // become a fallback every fallback_interval (at least 1 ms) instead of the backoff above.
    bool woken_by_events = false;
    std::chrono::milliseconds fallback_interval{std::chrono::minutes(5)};
};

namespace detail {
using watch_handler = boost::asio::any_completion_handler<void(boost::system::error_code, batch)>;
void launch_watch(const client& c, std::string id, watch_options opts, bool cancel_first, diagnostics* diag,
                  watch_handler h);
} // namespace detail

// Completes with the final batch (terminal status), or on failure with the error and the
// last snapshot seen (empty batch if none). Handler: void(error_code, batch).
template <class Token>
auto async_watch_until_terminal(client& c, std::string_view batch_id, watch_options opts, diagnostics& diag,
                                Token&& token)
{
    return boost::asio::async_initiate<Token, void(boost::system::error_code, batch)>(
        [cl = &c](auto h, std::string id, watch_options o, diagnostics* d) {
            detail::launch_watch(*cl, std::move(id), std::move(o), false, d, detail::watch_handler(std::move(h)));
        },
        token, std::string(batch_id), std::move(opts), &diag);
}

// Cancels the batch, then watches it to its end: what most callers want. A batch that has
// already ended is returned as it is (the API refuses to cancel it). The first report is
// the cancel's answer (normally `cancelling`).
template <class Token>
auto async_cancel_and_watch(client& c, std::string_view batch_id, watch_options opts, diagnostics& diag, Token&& token)
{
    return boost::asio::async_initiate<Token, void(boost::system::error_code, batch)>(
        [cl = &c](auto h, std::string id, watch_options o, diagnostics* d) {
            detail::launch_watch(*cl, std::move(id), std::move(o), true, d, detail::watch_handler(std::move(h)));
        },
        token, std::string(batch_id), std::move(opts), &diag);
}

// Thrown by the awaitable forms when the deadline passes; carries the last snapshot.
class watch_deadline_error : public exception {
public:
    watch_deadline_error(diagnostics diag, batch last);
    const batch& last_snapshot() const noexcept { return last_; }

private:
    batch last_;
};

// Throwing forms: batchwire::exception, or watch_deadline_error for the deadline.
// (Overloads, not default arguments: see client.hpp.)
boost::asio::awaitable<batch> watch_until_terminal(client& c, std::string batch_id);
boost::asio::awaitable<batch> watch_until_terminal(client& c, std::string batch_id, watch_options opts);
boost::asio::awaitable<batch> cancel_and_watch(client& c, std::string batch_id);
boost::asio::awaitable<batch> cancel_and_watch(client& c, std::string batch_id, watch_options opts);

} // namespace batchwire

#endif
