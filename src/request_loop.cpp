#include "request_loop.hpp"

#include "response_metadata.hpp"
#include "retry_policy.hpp"

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

bool is_cancelled(const asio::cancellation_state& cs) { return cs.cancelled() != asio::cancellation_type::none; }

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
    const exchange_limits limits{st.opts.limits.max_header_bytes, st.opts.limits.max_body_bytes};
    const std::string method(http::to_string(req.method));

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
            st.log({.level = log_level::warning, .kind = log_event_kind::request_failed, .method = method,
                    .target = req.target, .status = diag.http_status, .request_id = diag.request_id,
                    .attempt = attempts, .reason = diag.message});
        return ec;
    };
    auto cancelled_result = [&](bool written) {
        diag.message = written ? "cancelled after the request was sent: the server may have acted on it"
                               : "cancelled before the request was sent";
        diag.request_may_have_been_processed = written;
        return finish(error::cancelled);
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
        if (l.fresh()) {
            const auto t0 = clock::now();
            // Connecting is part of the attempt: its limits never reach past the attempt's end.
            const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(attempt_deadline - t0),
                                       std::chrono::milliseconds(1));
            ec = co_await resolve(st.org, std::min(st.opts.pool.connect_timeout, left), endpoints, why);
            if (!ec)
                ec = co_await l.conn().connect(st.org, endpoints, std::min(st.opts.pool.connect_timeout, left),
                                               std::min(st.opts.pool.handshake_timeout, left), l.session(), why);
            if (!ec && l.conn().resumed_session)
                st.pool->count_resumed_session();
            if (!ec)
                st.log({.level = log_level::debug, .kind = log_event_kind::connection_opened,
                        .elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0),
                        .connection_id = l.conn().id()});
        } else {
            st.log({.level = log_level::debug, .kind = log_event_kind::connection_reused,
                    .connection_id = l.conn().id()});
        }
        if (!ec) {
            st.log({.level = log_level::debug, .kind = log_event_kind::request_sent, .method = method,
                    .target = req.target, .attempt = attempts, .connection_id = l.conn().id()});
            ec = co_await l.conn().exchange(outgoing, r, attempt_deadline, limits, req.sink, why);
            if (!ec)
                l.set_reusable(r.keep_alive && st.opts.pool.enabled);
        }
        if (is_cancelled(cs))
            co_return cancelled_result(r.request_written);
        if (ec) {
            st.log({.level = log_level::debug, .kind = log_event_kind::connection_closed, .reason = why,
                    .connection_id = l.conn().id()});
            const bool was_reused = !l.fresh();
            l = lease{}; // closes it: a failed exchange never returns to the pool
            if (ec == error::timeout && clock::now() >= deadline) {
                diag.message = "the call's deadline passed: " + why;
                diag.request_may_have_been_processed = r.request_written;
                co_return finish(error::deadline_exceeded);
            }
            // The server closed a kept-alive connection under us: once, on a fresh
            // connection, without counting as a retry. Fresh for sure: the other idle
            // connections are as old, so the pool closes them rather than hand one out.
            if (was_reused && !r.response_started && !fresh_retry_used && ec == error::connection_lost &&
                (req.idempotent || !r.request_written)) {
                fresh_retry_used = true;
                next_kind = acquire_kind::fresh;
                --attempts;
                continue;
            }
            diag.message = why;
            diag.request_may_have_been_processed = r.request_written;
            if (r.request_written && !req.idempotent)
                co_return finish(ec); // resending could act twice
            if (req.sink && r.streamed_bytes > 0)
                co_return finish(ec); // part of the body was delivered already
        } else {
            read_response_metadata(r.headers, meta);
            meta.http_status = r.status;
            st.log({.level = log_level::debug, .kind = log_event_kind::response_received, .method = method,
                    .target = req.target, .status = r.status, .request_id = meta.request_id, .attempt = attempts,
                    .elapsed = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - start)});
            if (r.status / 100 == 2) {
                out.status = r.status;
                out.body = std::move(r.body);
                out.headers = std::move(r.headers);
                diag.http_status = r.status;
                diag.request_id = meta.request_id;
                co_return finish(error_code{});
            }
            read_api_error(r.status, r.headers, r.body, diag);
            ec = error_for_response(r.status, diag);
            // An error status does not say the request was not acted on: a create without
            // an idempotency key (or an upload) is resent only when the server says it did
            // nothing: x-should-retry: true, or a 429 rate-limit refusal (insufficient_quota
            // is never retried). A 5xx may have come after the work was done.
            if (!req.idempotent && !diag.should_retry.value_or(false) && ec != error::rate_limited) {
                diag.request_may_have_been_processed = r.status >= 500;
                co_return finish(ec);
            }
        }

        const auto decision = decide_retry(ec, diag, retries_done, max_retries, st.opts.retry, draw_jitter());
        if (!decision.retry)
            co_return finish(ec);
        if (clock::now() + decision.delay >= deadline) {
            diag.message = "the call's deadline leaves no time for the next retry; last error: " + diag.message;
            co_return finish(error::deadline_exceeded);
        }
        st.log({.level = log_level::info, .kind = log_event_kind::retry_scheduled, .method = method,
                .target = req.target, .status = diag.http_status, .request_id = diag.request_id,
                .attempt = attempts, .delay = decision.delay, .reason = diag.message.empty() ? ec.message() : diag.message});
        asio::steady_timer backoff(ex, decision.delay);
        co_await backoff.async_wait(use_tuple);
        if (is_cancelled(cs))
            co_return cancelled_result(false);
        ++retries_done;
    }
}

} // namespace batchwire::detail
