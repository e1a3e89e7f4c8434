#include "request_loop.hpp"

#include "attempt_decision.hpp"
#include "cancellation_check.hpp"
#include "response_metadata.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/version.hpp>

#include <algorithm>
#include <utility>

#ifndef BATCHWIRE_VERSION
#define BATCHWIRE_VERSION "0"
#endif

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using std::chrono::milliseconds;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

http::request<http::string_body> build_message(const client_state& st, const api_request& req)
{
    http::request<http::string_body> m{req.method, req.target, 11};
    m.set(http::field::host, st.org.host_header);
    m.set(http::field::authorization, st.authorization);
    m.set(http::field::user_agent, "batchwire/" BATCHWIRE_VERSION);
    m.set(http::field::accept, req.sink ? "application/binary" : "application/json");
    if (!st.opts.organization.empty())
        m.set("OpenAI-Organization", st.opts.organization);
    if (!st.opts.project.empty())
        m.set("OpenAI-Project", st.opts.project);
    for (const auto& [name, value] : st.opts.default_headers)
        m.set(name, value);
    if (!req.idempotency_key.empty())
        m.set("Idempotency-Key", req.idempotency_key);
    if (!req.content_type.empty())
        m.set(http::field::content_type, req.content_type);
    m.keep_alive(st.opts.pool.enabled);
    if (!req.streamed) {
        m.body() = req.body;
        m.prepare_payload();
    }
    return m;
}

// Name resolution: IP literals and "localhost" need no resolver (and no resolver thread).
asio::awaitable<error_code> resolve(const origin& o, std::chrono::milliseconds timeout,
                                    std::vector<asio::ip::tcp::endpoint>& out, std::string& why)
{
    out.clear();
    if (o.host_is_ip) {
        out.emplace_back(asio::ip::make_address(o.host), o.port);
        co_return error_code{};
    }
    if (o.host == "localhost") { // RFC 6761: always loopback
        out.emplace_back(asio::ip::address_v4::loopback(), o.port);
        out.emplace_back(asio::ip::address_v6::loopback(), o.port);
        co_return error_code{};
    }
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(ex);
    asio::steady_timer timer(ex, timeout);
    auto result = co_await (resolver.async_resolve(o.host, std::to_string(o.port), use_tuple) ||
                            timer.async_wait(use_tuple));
    if (result.index() == 1) {
        why = "resolving '" + o.host + "' timed out";
        co_return error_code(error::timeout);
    }
    auto [ec, results] = std::get<0>(std::move(result));
    if (ec) {
        why = "cannot resolve '" + o.host + "': " + ec.message();
        co_return ec == asio::error::operation_aborted ? error_code(error::cancelled) : error_code(error::connect_failed);
    }
    for (const auto& r : results)
        out.push_back(r.endpoint());
    co_return error_code{};
}

// Resolves, connects and does the TLS handshake of a fresh connection. Connecting is part
// of the attempt: its limits never reach past the attempt's end.
asio::awaitable<error_code> open_connection(const client_state& st, lease& l, clock::time_point attempt_deadline,
                                            std::vector<asio::ip::tcp::endpoint>& endpoints, std::string& why)
{
    const auto t0 = clock::now();
    const auto left = std::max(std::chrono::duration_cast<milliseconds>(attempt_deadline - t0), milliseconds(1));
    const auto connect_limit = std::min(st.opts.pool.connect_timeout, left);
    error_code ec = co_await resolve(st.org, connect_limit, endpoints, why);
    if (!ec && is_cancelled(co_await asio::this_coro::cancellation_state))
        ec = error::cancelled;
    if (!ec)
        ec = co_await l.conn().connect(st.org, endpoints, connect_limit, std::min(st.opts.pool.handshake_timeout, left),
                                       l.session(), why);
    if (ec)
        co_return ec;
    if (l.conn().resumed_session)
        st.pool->count_resumed_session();
    st.log(log_level::debug, [&] {
        return log_event{.kind = log_event_kind::connection_opened,
                         .elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0),
                         .connection_id = l.conn().id()};
    });
    co_return ec;
}

// What decide_attempt needs to know of the attempt that just ended.
struct attempt_state {
    bool fresh_connection = false;
    bool exchange_failed = false;
    bool cancelled = false;
    bool fresh_resend_used = false;
    unsigned retries_done = 0;
    unsigned max_retries = 0;
    clock::time_point deadline;
};

attempt_facts facts_of(const api_request& req, const exchange_result& r, const error_code& ec, const diagnostics& diag,
                       const attempt_state& a)
{
    attempt_facts f;
    f.ec = ec;
    f.response_received = !a.exchange_failed;
    f.http_status = r.status;
    f.retry_after = diag.retry_after;
    f.should_retry = diag.should_retry;
    f.api_error_type = diag.type;
    f.reused_connection = !a.fresh_connection;
    f.request_written = r.request_written;
    f.response_started = r.response_started;
    f.body_delivered = req.sink && r.streamed_bytes > 0;
    f.idempotent = req.idempotent;
    f.conflict_refusal_is_final = req.conflict_refusal_is_final;
    f.fresh_resend_used = a.fresh_resend_used;
    f.cancelled = a.cancelled;
    f.retries_done = a.retries_done;
    f.max_retries = a.max_retries;
    f.now = clock::now();
    f.deadline = a.deadline;
    f.jitter = draw_jitter();
    return f;
}

} // namespace

asio::awaitable<error_code> run_request(const client_state& st, const api_request& req, const request_options& ro,
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
    const auto cs = co_await asio::this_coro::cancellation_state;
    auto ex = co_await asio::this_coro::executor;

    const auto start = clock::now();
    const unsigned max_retries = ro.max_retries.value_or(st.opts.retry.max_retries);
    const auto attempt_timeout = ro.attempt_timeout.value_or(st.opts.attempt_timeout);
    const auto total_timeout = ro.total_timeout.value_or(st.opts.total_timeout);
    const auto deadline = total_timeout.count() > 0 ? start + total_timeout : clock::time_point::max();
    const response_limits& limits = st.opts.limits;
    const std::string_view method = http::to_string(req.method);

    outgoing_request outgoing{build_message(st, req), req.streamed};
    response_metadata meta;
    unsigned retries_done = 0;
    unsigned attempts = 0;
    bool fresh_retry_used = false;
    acquire_kind next_kind = acquire_kind::any;
    std::vector<asio::ip::tcp::endpoint> endpoints;

    auto finish = [&](error_code ec) {
        diag.attempts = attempts;
        meta.attempts = attempts;
        meta.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start);
        if (ro.metadata)
            *ro.metadata = meta;
        if (ec && ec != error::cancelled && ec != error::deadline_exceeded)
            st.log(log_level::warning, [&] {
                return log_event{.kind = log_event_kind::request_failed, .method = method,
                                 .target = req.target, .status = diag.http_status, .request_id = diag.request_id,
                                 .attempt = attempts, .reason = diag.message};
            });
        return ec;
    };
    auto cancelled_result = [&](bool written) {
        diag.message = written ? "cancelled after the request was sent: the server may have acted on it"
                               : "cancelled before the request was sent";
        diag.request_may_have_been_processed = written;
        return finish(error::cancelled);
    };

    auto fail_with = [&](const attempt_verdict& v) {
        diag.request_may_have_been_processed = v.request_may_have_been_processed;
        switch (v.note) {
        case failure_note::as_is:
            break;
        case failure_note::cancelled:
            return cancelled_result(v.request_may_have_been_processed);
        case failure_note::deadline_passed:
            diag.message = "the call's deadline passed: " + diag.message;
            break;
        case failure_note::no_time_for_retry:
            diag.message = "the call's deadline leaves no time for the next retry; last error: " + diag.message;
            break;
        case failure_note::retry_after_too_long:
            diag.message = "the server asked to wait " + std::to_string(diag.retry_after.value_or(milliseconds{0}).count()) +
                           " ms, more than retry_options::max_retry_after (" +
                           std::to_string(st.opts.retry.max_retry_after.count()) + " ms); last error: " + diag.message;
            break;
        }
        return finish(v.error);
    };
    for (;;) {
        if (is_cancelled(cs))
            co_return cancelled_result(false);
        ++attempts;
        diag = diagnostics{};

        // A connection: idle, fresh, or wait for one (within the deadline).
        lease l;
        {
            const auto kind = std::exchange(next_kind, acquire_kind::any);
            error_code aec;
            if (deadline == clock::time_point::max()) {
                std::tie(aec, l) = co_await st.pool->async_acquire(kind, use_tuple);
            } else {
                asio::steady_timer timer(ex, deadline);
                auto r = co_await (st.pool->async_acquire(kind, use_tuple) || timer.async_wait(use_tuple));
                if (r.index() == 1) {
                    diag.message = "the call's deadline passed while waiting for a connection";
                    co_return finish(error::deadline_exceeded);
                }
                std::tie(aec, l) = std::get<0>(std::move(r));
            }
            if (aec || is_cancelled(cs)) {
                if (l)
                    l.set_reusable(!l.fresh());
                co_return cancelled_result(false);
            }
        }
        const auto attempt_deadline = std::min(deadline, clock::now() + attempt_timeout);

        error_code ec;
        std::string why;
        exchange_result r;
        const bool fresh_connection = l.fresh();
        if (fresh_connection) {
            ec = co_await open_connection(st, l, attempt_deadline, endpoints, why);
        } else {
            st.log(log_level::debug, [&] {
                return log_event{.kind = log_event_kind::connection_reused, .connection_id = l.conn().id()};
            });
        }
        if (!ec) {
            st.log(log_level::debug, [&] {
                return log_event{.kind = log_event_kind::request_sent, .method = method,
                                 .target = req.target, .attempt = attempts, .connection_id = l.conn().id()};
            });
            ec = co_await l.conn().exchange(outgoing, r, attempt_deadline, limits, req.sink, why);
            l.set_reusable(may_return_to_pool(ec, r) && st.opts.pool.enabled);
        }
        const bool exchange_failed = static_cast<bool>(ec);
        if (ec) {
            st.log(log_level::debug, [&] {
                return log_event{.kind = log_event_kind::connection_closed, .reason = why,
                                 .connection_id = l.conn().id()};
            });
            l = lease{}; // closes it: a failed exchange never returns to the pool
            diag.message = why;
        } else {
            read_response_metadata(r.headers, meta);
            meta.http_status = r.status;
            st.log(log_level::debug, [&] {
                return log_event{.kind = log_event_kind::response_received, .method = method,
                                 .target = req.target, .status = r.status, .request_id = meta.request_id, .attempt = attempts,
                                 .elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start)};
            });
            if (r.status / 100 != 2) {
                read_api_error(r.status, r.headers, r.body, diag);
                ec = error_for_response(r.status, diag);
            }
        }

        attempt_state a;
        a.fresh_connection = fresh_connection;
        a.exchange_failed = exchange_failed;
        a.cancelled = is_cancelled(cs);
        a.fresh_resend_used = fresh_retry_used;
        a.retries_done = retries_done;
        a.max_retries = max_retries;
        a.deadline = deadline;
        const attempt_facts facts = facts_of(req, r, ec, diag, a);
        const attempt_verdict v = decide_attempt(facts, st.opts.retry);
        switch (v.action) {
        case attempt_action::succeed:
            out.status = r.status;
            out.body = std::move(r.body);
            out.headers = std::move(r.headers);
            diag.http_status = r.status;
            diag.request_id = meta.request_id;
            co_return finish(error_code{});
        case attempt_action::resend_fresh:
            fresh_retry_used = true;
            next_kind = acquire_kind::fresh;
            --attempts;
            continue;
        case attempt_action::fail:
            co_return fail_with(v);
        case attempt_action::retry_after:
            break;
        }
        if (diag.message.empty())
            diag.message = ec.message(); // the retry's reason; diag is reset for the next attempt
        st.log(log_level::info, [&] {
            return log_event{.kind = log_event_kind::retry_scheduled, .method = method,
                             .target = req.target, .status = diag.http_status, .request_id = diag.request_id,
                             .attempt = attempts, .delay = v.delay, .reason = diag.message};
        });
        asio::steady_timer backoff(ex, v.delay);
        co_await backoff.async_wait(use_tuple);
        if (is_cancelled(cs))
            co_return cancelled_result(false);
        ++retries_done;
    }
}

} // namespace batchwire::detail
