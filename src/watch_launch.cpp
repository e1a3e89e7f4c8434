// Launching a watch: a subscription to the client's watch registry, not a coroutine of its
// own, so an idle watcher costs its subscriber and nothing else. cancel_and_watch runs one
// short coroutine for the cancel, then hands the same handler to the registry.

#include "watch_launch.hpp"

#include "batch_calls.hpp"
#include "client_access.hpp"
#include "complete_elsewhere.hpp"
#include "operation_executor.hpp"
#include "origin.hpp"
#include "watch_registry.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// The cancel that precedes a watch; `watch` says whether to go on watching `result`.
struct cancel_outcome {
    op_result<batch> result;
    bool watch = false;
    std::optional<long long> server_date;
    watch_options opts; // handed back for the watch
};

// Cancels `id`; a batch that has already ended (the API refuses to cancel it) is retrieved
// instead and is the answer.
asio::awaitable<cancel_outcome> cancel_step(std::shared_ptr<client_state> st, std::string id, watch_options opts)
{
    // Any cancellation type ends it; pass it on as terminal.
    co_await asio::this_coro::reset_cancellation_state(
        asio::enable_total_cancellation(), [](asio::cancellation_type t) {
            return t != asio::cancellation_type::none ? asio::cancellation_type::terminal
                                                      : asio::cancellation_type::none;
        });
    co_await asio::this_coro::throw_if_cancelled(false);
    cancel_outcome out;
    response_metadata meta;
    request_options ro = opts.poll_request;
    ro.metadata = &meta;
    out.result = co_await batch_by_id(st, id, true, ro);
    if (out.result.ec == error::bad_request || out.result.ec == error::conflict) {
        auto g = co_await batch_by_id(st, id, false, opts.poll_request);
        if (!g.ec && g.value.is_terminal())
            out.result = std::move(g);
    }
    if (!out.result.ec && out.result.value.is_terminal() && opts.on_transition) {
        batch_transition t;
        t.to = out.result.value.status;
        t.snapshot = out.result.value;
        t.seen_at = std::chrono::system_clock::now();
        opts.on_transition(t);
    }
    out.watch = !out.result.ec && !out.result.value.is_terminal();
    out.server_date = meta.server_date;
    out.opts = std::move(opts);
    co_return out;
}

void complete_now(const asio::any_io_executor& ex, diagnostics* diag, watch_handler h, error_code ec, batch b,
                  diagnostics d)
{
    if (diag)
        *diag = std::move(d);
    complete_elsewhere(ex, std::move(h), ec, std::move(b));
}

void cancel_then_watch(std::shared_ptr<client_state> st, std::string id, watch_options opts, diagnostics* diag,
                       watch_handler h)
{
    auto slot = asio::get_associated_cancellation_slot(h);
    asio::co_spawn(
        st->op_executors.next(), cancel_step(st, id, std::move(opts)),
        asio::bind_cancellation_slot(
            slot, [st, id, diag, h = std::move(h)](std::exception_ptr ep, cancel_outcome c) mutable {
                if (ep) { // cancel_step reports failures as error codes; this is bad_alloc or a bug
                    diagnostics d;
                    d.message = "unexpected exception while cancelling";
                    complete_now(st->ex, diag, std::move(h), error::protocol_error, {}, std::move(d));
                    return;
                }
                if (!c.watch) {
                    complete_now(st->ex, diag, std::move(h), c.result.ec, std::move(c.result.value),
                                 std::move(c.result.diag));
                    return;
                }
                // The same handler, and so the same cancellation slot, now belongs to the watch.
                auto reg = watch_registry_of(*st);
                reg->subscribe(std::move(st), std::move(id), std::move(c.opts), std::move(c.result.value),
                               c.server_date, std::move(h), diag);
            }));
}

} // namespace

void launch_watch(const client& c, std::string id, watch_options opts, bool cancel_first, diagnostics* diag,
                  watch_handler h)
{
    launch_watch(client_access::state(c), std::move(id), std::move(opts), cancel_first, diag, std::move(h));
}

void launch_watch(std::shared_ptr<client_state> st, std::string id, watch_options opts, bool cancel_first,
                  diagnostics* diag, watch_handler h)
{
    error_code id_ec;
    encode_path_segment(id, id_ec); // the one rule for ids in a path
    if (id_ec) {
        diagnostics d;
        d.message = "invalid batch id: it must not be empty, '.' or '..'";
        complete_now(st->ex, diag, std::move(h), error::invalid_argument, {}, std::move(d));
        return;
    }
    if (cancel_first) {
        cancel_then_watch(std::move(st), std::move(id), std::move(opts), diag, std::move(h));
        return;
    }
    auto reg = watch_registry_of(*st);
    reg->subscribe(std::move(st), std::move(id), std::move(opts), std::nullopt, std::nullopt, std::move(h), diag);
}

} // namespace batchwire::detail
