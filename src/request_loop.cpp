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
#include <optional>
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

// One call's state and the steps of its attempts; run_request drives them.
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

    // What one attempt left behind, for decide_attempt.
    struct attempt {
        ready_connection conn;
        exchange_result r;
        error_code ec;
        bool exchange_failed = false;
    };

    // The steps run_request carries out, in its one coroutine frame.
    error_code prepare();
    bool cancelled() const { return is_cancelled(cs_); }
    ready_params next_attempt(acquire_kind kind);
    std::optional<error_code> refused(ready_outcome got);
    bool begin_exchange(attempt& a);
    void end_exchange(attempt& a);
    attempt_facts facts_of(const attempt& a) const;
    error_code succeed(attempt& a);
    void resend_fresh();
    error_code fail_with(const attempt_verdict& v);
    void log_retry(const attempt& a, const attempt_verdict& v);
    void retried() { ++retries_done_; }
    error_code cancelled_result(bool written);
    const outgoing_request& outgoing() const noexcept { return outgoing_; }

private:
    void read_response(attempt& a);
    error_code finish(error_code ec);
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

error_code request_run::prepare()
{
    if (auto ec = make_outgoing(ctx_.head, req_, outgoing_)) {
        diag_.message = "the request's target or a header value holds a character not allowed in a request head";
        return finish(ec);
    }
    return {};
}

ready_params request_run::next_attempt(acquire_kind kind)
{
    ++attempts_;
    diag_ = diagnostics{};
    return ready_params{kind, deadline_, attempt_timeout_};
}

// The call's end when no connection came, else nothing.
std::optional<error_code> request_run::refused(ready_outcome got)
{
    if (got == ready_outcome::deadline_passed) {
        diag_.message = "the call's deadline passed while waiting for a connection";
        return finish(error::deadline_exceeded);
    }
    if (got == ready_outcome::cancelled)
        return cancelled_result(false);
    return std::nullopt;
}

// True when the connection the pool made ready is there to exchange on; else its connect
// failure is the attempt's.
bool request_run::begin_exchange(attempt& a)
{
    ready_connection& c = a.conn;
    a.ec = c.ec;
    if (a.ec)
        return false;
    log_connection(c);
    ctx_.log(log_level::debug, [&] {
        return log_event{.kind = log_event_kind::request_sent, .method = method_, .target = req_.target,
                         .attempt = attempts_, .connection_id = c.connection_id};
    });
    return true;
}

// A failed exchange closes the connection; a complete keep-alive one returns it to the pool.
void request_run::end_exchange(attempt& a)
{
    ready_connection& c = a.conn;
    if (c.l && !c.ec) {
        a.ec = c.l.conn().exchange_done(a.ec, c.why);
        c.l.set_reusable(may_return_to_pool(a.ec, a.r) && ctx_.keep_alive);
    }
    a.exchange_failed = static_cast<bool>(a.ec);
    if (a.ec) {
        ctx_.log(log_level::debug, [&] {
            return log_event{.kind = log_event_kind::connection_closed, .reason = c.why,
                             .connection_id = c.connection_id};
        });
        c.l = lease{}; // closes it: a failed exchange never returns to the pool
        diag_.message = c.why;
        return;
    }
    read_response(a);
}

void request_run::resend_fresh()
{
    fresh_resend_used_ = true;
    --attempts_;
}

void request_run::log_retry(const attempt& a, const attempt_verdict& v)
{
    if (diag_.message.empty())
        diag_.message = a.ec.message(); // the retry's reason; diag is reset for the next attempt
    ctx_.log(log_level::info, [&] {
        return log_event{.kind = log_event_kind::retry_scheduled, .method = method_, .target = req_.target,
                         .status = diag_.http_status, .request_id = diag_.request_id, .attempt = attempts_,
                         .delay = v.delay, .reason = diag_.message};
    });
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

// One coroutine frame for the whole call: attempts, each on a ready connection from the
// pool, decided by decide_attempt, until success, a final failure, cancellation or the deadline.
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
    const asio::any_io_executor ex = co_await asio::this_coro::executor;
    if (auto ec = run.prepare())
        co_return ec;
    acquire_kind next_kind = acquire_kind::any;
    for (;;) {
        if (run.cancelled())
            co_return run.cancelled_result(false);
        request_run::attempt a;
        const ready_params p = run.next_attempt(std::exchange(next_kind, acquire_kind::any));
        if (!ctx.pool.try_ready(p, a.conn))
            if (auto end = run.refused(co_await ctx.pool.acquire_ready(ctx.org, p, a.conn)))
                co_return *end;
        if (run.begin_exchange(a))
            a.ec = co_await a.conn.l.conn().exchange(ex, run.outgoing(), a.r, a.conn.attempt_deadline, ctx.limits,
                                                     req.sink, a.conn.why);
        run.end_exchange(a);
        const attempt_verdict v = decide_attempt(run.facts_of(a), ctx.retry);
        switch (v.action) {
        case attempt_action::succeed:
            co_return run.succeed(a);
        case attempt_action::resend_fresh:
            run.resend_fresh();
            next_kind = acquire_kind::fresh;
            continue;
        case attempt_action::fail:
            co_return run.fail_with(v);
        case attempt_action::retry_after:
            break;
        }
        run.log_retry(a, v);
        asio::steady_timer backoff(ex, v.delay);
        co_await backoff.async_wait(use_tuple);
        if (run.cancelled())
            co_return run.cancelled_result(false);
        run.retried();
    }
}

} // namespace batchwire::detail
