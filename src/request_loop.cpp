#include "request_loop.hpp"

#include "attempt_decision.hpp"
#include "cancellation_check.hpp"
#include "jitter.hpp"
#include "response_metadata.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using std::chrono::milliseconds;
using std::chrono::microseconds;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// The request on the wire, made once per call: the client's head fields and the request's own.
error_code make_outgoing(const request_head& head, const api_request& req, outgoing_request& out)
{
    request_fields own;
    own.accept = req.sink ? "application/binary" : "application/json";
    own.content_type = req.content_type;
    own.idempotency_key = req.idempotency_key;
    const std::uint64_t body_size = req.streamed ? req.streamed->size() : req.body.size();
    if (req.streamed || needs_content_length(req.method, body_size))
        own.content_length = body_size;
    out.streamed = req.streamed;
    if (auto ec = head.serialize(req.method, req.target, own, out.bytes))
        return ec;
    if (!req.streamed)
        out.bytes.append(req.body);
    return {};
}

// One call's life: attempts, each on a ready connection from the pool, decided by
// decide_attempt, until success, a final failure, cancellation or the deadline.
class request_run {
public:
    request_run(const request_context& ctx, const api_request& req, const request_options& ro, api_response& out,
                diagnostics& diag, asio::cancellation_state cs)
        : ctx_(ctx), req_(req), ro_(ro), out_(out), diag_(diag), cs_(cs),
          method_(http::to_string(req.method)),
          max_retries_(ro.max_retries.value_or(ctx.retry.max_retries)),
          attempt_timeout_(ro.attempt_timeout.value_or(ctx.attempt_timeout))
    {
        const auto total = ro.total_timeout.value_or(ctx.total_timeout);
        deadline_ = total.count() > 0 ? start_ + total : clock::time_point::max();
    }

    asio::awaitable<error_code> run();

private:
    // What one attempt left behind, for decide_attempt.
    struct attempt {
        ready_connection conn;
        exchange_result r;
        error_code ec;
        bool exchange_failed = false;
    };

    asio::awaitable<void> exchange(attempt& a);
    void read_response(attempt& a);
    attempt_facts facts_of(const attempt& a) const;
    error_code succeed(attempt& a);
    error_code finish(error_code ec);
    error_code cancelled_result(bool written);
    error_code fail_with(const attempt_verdict& v);
    void log_connection(const ready_connection& c) const;

    const request_context& ctx_;
    const api_request& req_;
    const request_options& ro_;
    api_response& out_;
    diagnostics& diag_;
    asio::cancellation_state cs_;
    const std::string_view method_;
    const clock::time_point start_ = clock::now();
    const unsigned max_retries_;
    const milliseconds attempt_timeout_;
    clock::time_point deadline_;
    outgoing_request outgoing_;
    response_metadata meta_;
    unsigned retries_done_ = 0;
    unsigned attempts_ = 0;
    bool fresh_resend_used_ = false;
};

asio::awaitable<error_code> request_run::run()
{
    if (auto ec = make_outgoing(ctx_.head, req_, outgoing_)) {
        diag_.message = "the request's target or a header value holds a character not allowed in a request head";
        co_return finish(ec);
    }
    acquire_kind next_kind = acquire_kind::any;
    for (;;) {
        if (is_cancelled(cs_))
            co_return cancelled_result(false);
        ++attempts_;
        diag_ = diagnostics{};
        attempt a;
        const ready_params p{std::exchange(next_kind, acquire_kind::any), deadline_, attempt_timeout_};
        const auto got = co_await ctx_.pool.acquire_ready(ctx_.org, p, a.conn);
        if (got == ready_outcome::deadline_passed) {
            diag_.message = "the call's deadline passed while waiting for a connection";
            co_return finish(error::deadline_exceeded);
        }
        if (got == ready_outcome::cancelled)
            co_return cancelled_result(false);
        co_await exchange(a);
        const attempt_verdict v = decide_attempt(facts_of(a), ctx_.retry);
        switch (v.action) {
        case attempt_action::succeed:
            co_return succeed(a);
        case attempt_action::resend_fresh:
            fresh_resend_used_ = true;
            next_kind = acquire_kind::fresh;
            --attempts_;
            continue;
        case attempt_action::fail:
            co_return fail_with(v);
        case attempt_action::retry_after:
            break;
        }
        if (diag_.message.empty())
            diag_.message = a.ec.message(); // the retry's reason; diag is reset for the next attempt
        ctx_.log(log_level::info, [&] {
            return log_event{.kind = log_event_kind::retry_scheduled, .method = method_, .target = req_.target,
                             .status = diag_.http_status, .request_id = diag_.request_id, .attempt = attempts_,
                             .delay = v.delay, .reason = diag_.message};
        });
        asio::steady_timer backoff(co_await asio::this_coro::executor, v.delay);
        co_await backoff.async_wait(use_tuple);
        if (is_cancelled(cs_))
            co_return cancelled_result(false);
        ++retries_done_;
    }
}

// Exchanges on the connection the pool made ready (or takes its connect failure); a
// failed exchange closes the connection, a complete keep-alive one returns it to the pool.
asio::awaitable<void> request_run::exchange(attempt& a)
{
    ready_connection& c = a.conn;
    a.ec = c.ec;
    std::string& why = c.why;
    if (!a.ec) {
        log_connection(c);
        ctx_.log(log_level::debug, [&] {
            return log_event{.kind = log_event_kind::request_sent, .method = method_, .target = req_.target,
                             .attempt = attempts_, .connection_id = c.connection_id};
        });
        a.ec = co_await c.l.conn().exchange(outgoing_, a.r, c.attempt_deadline, ctx_.limits, req_.sink, why);
        c.l.set_reusable(may_return_to_pool(a.ec, a.r) && ctx_.keep_alive);
    }
    a.exchange_failed = static_cast<bool>(a.ec);
    if (a.ec) {
        ctx_.log(log_level::debug, [&] {
            return log_event{.kind = log_event_kind::connection_closed, .reason = why, .connection_id = c.connection_id};
        });
        c.l = lease{}; // closes it: a failed exchange never returns to the pool
        diag_.message = why;
        co_return;
    }
    read_response(a);
}

void request_run::log_connection(const ready_connection& c) const
{
    ctx_.log(log_level::debug, [&] {
        if (c.fresh)
            return log_event{.kind = log_event_kind::connection_opened, .elapsed = c.connect_time,
                             .connection_id = c.connection_id};
        return log_event{.kind = log_event_kind::connection_reused, .connection_id = c.connection_id};
    });
}

void request_run::read_response(attempt& a)
{
    // The rest of the headers is read only for a caller that asked for it.
    if (ro_.metadata)
        read_response_metadata(a.r.headers, meta_);
    else
        meta_.request_id = read_request_id(a.r.headers);
    meta_.http_status = a.r.status;
    ctx_.log(log_level::debug, [&] {
        return log_event{.kind = log_event_kind::response_received, .method = method_, .target = req_.target,
                         .status = a.r.status, .request_id = meta_.request_id, .attempt = attempts_,
                         .elapsed = std::chrono::duration_cast<microseconds>(clock::now() - start_)};
    });
    if (a.r.status / 100 != 2) {
        read_api_error(a.r.status, a.r.headers, a.r.body, diag_);
        a.ec = error_for_response(a.r.status, diag_);
    }
}

attempt_facts request_run::facts_of(const attempt& a) const
{
    attempt_facts f;
    f.ec = a.ec;
    f.response_received = !a.exchange_failed;
    f.http_status = a.r.status;
    f.retry_after = diag_.retry_after;
    f.should_retry = diag_.should_retry;
    f.api_error_type = diag_.type;
    f.reused_connection = !a.conn.fresh;
    f.request_written = a.r.request_written;
    f.response_started = a.r.response_started;
    f.body_delivered = req_.sink && a.r.streamed_bytes > 0;
    f.idempotent = req_.idempotent;
    f.conflict_refusal_is_final = req_.conflict_refusal_is_final;
    f.fresh_resend_used = fresh_resend_used_;
    f.cancelled = is_cancelled(cs_);
    f.retries_done = retries_done_;
    f.max_retries = max_retries_;
    f.now = clock::now();
    f.deadline = deadline_;
    f.jitter = draw_jitter();
    return f;
}

error_code request_run::succeed(attempt& a)
{
    out_.status = a.r.status;
    out_.body = std::move(a.r.body);
    out_.headers = std::move(a.r.headers);
    diag_.http_status = a.r.status;
    diag_.request_id = meta_.request_id;
    return finish(error_code{});
}

error_code request_run::finish(error_code ec)
{
    diag_.attempts = attempts_;
    meta_.attempts = attempts_;
    meta_.elapsed = std::chrono::duration_cast<microseconds>(clock::now() - start_);
    if (ro_.metadata)
        *ro_.metadata = meta_;
    if (ec && ec != error::cancelled && ec != error::deadline_exceeded)
        ctx_.log(log_level::warning, [&] {
            return log_event{.kind = log_event_kind::request_failed, .method = method_, .target = req_.target,
                             .status = diag_.http_status, .request_id = diag_.request_id, .attempt = attempts_,
                             .reason = diag_.message};
        });
    return ec;
}

error_code request_run::cancelled_result(bool written)
{
    diag_.message = written ? "cancelled after the request was sent: the server may have acted on it"
                            : "cancelled before the request was sent";
    diag_.request_may_have_been_processed = written;
    return finish(error::cancelled);
}

error_code request_run::fail_with(const attempt_verdict& v)
{
    diag_.request_may_have_been_processed = v.request_may_have_been_processed;
    switch (v.note) {
    case failure_note::as_is:
        break;
    case failure_note::cancelled:
        return cancelled_result(v.request_may_have_been_processed);
    case failure_note::deadline_passed:
        diag_.message = "the call's deadline passed: " + diag_.message;
        break;
    case failure_note::no_time_for_retry:
        diag_.message = "the call's deadline leaves no time for the next retry; last error: " + diag_.message;
        break;
    case failure_note::retry_after_too_long:
        diag_.message = "the server asked to wait " +
                        std::to_string(diag_.retry_after.value_or(milliseconds{0}).count()) +
                        " ms, more than retry_options::max_retry_after (" +
                        std::to_string(ctx_.retry.max_retry_after.count()) + " ms); last error: " + diag_.message;
        break;
    }
    return finish(v.error);
}

} // namespace

asio::awaitable<error_code> run_request(const request_context& ctx, const api_request& req, const request_options& ro,
                                        api_response& out, diagnostics& diag)
{
    // Any cancellation type stops the call; Beast's composed operations only honour
    // terminal cancellation, so that is what is passed down.
    co_await asio::this_coro::reset_cancellation_state(
        asio::enable_total_cancellation(), [](asio::cancellation_type t) {
            return t != asio::cancellation_type::none ? asio::cancellation_type::terminal
                                                      : asio::cancellation_type::none;
        });
    co_await asio::this_coro::throw_if_cancelled(false);
    request_run run(ctx, req, ro, out, diag, co_await asio::this_coro::cancellation_state);
    co_return co_await run.run();
}

} // namespace batchwire::detail
