#include "connection.hpp"

#include "cancellation_check.hpp"
#include "tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <poll.h>

#include <utility>

namespace batchwire::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

error_code classify_transport_error(const error_code& ec)
{
    if (!ec || ec.category() == error_category())
        return ec;
    if (ec == asio::error::operation_aborted)
        return error::cancelled;
    if (ec == beast::error::timeout)
        return error::timeout;
    if (ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return error::response_too_large;
    if (ec.category() == make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message)
        return error::protocol_error;
    if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::broken_pipe || ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == asio::error::connection_aborted || ec == asio::error::not_connected || ec == asio::error::bad_descriptor)
        return error::connection_lost;
    if (ec.category() == asio::error::get_ssl_category())
        return error::tls_handshake_failed;
    return error::connection_lost;
}

namespace {

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

} // namespace

connection::connection(asio::any_io_executor ex, asio::ssl::context* ssl_ctx, std::uint64_t id)
    : stream_(ssl_ctx ? std::variant<plain_stream, tls_stream>(std::in_place_type<tls_stream>, ex, *ssl_ctx)
                      : std::variant<plain_stream, tls_stream>(std::in_place_type<plain_stream>, ex)),
      time_limit_(ex), id_(id)
{
}

beast::tcp_stream& connection::tcp() noexcept
{
    if (auto* t = std::get_if<tls_stream>(&stream_))
        return t->next_layer();
    return std::get<plain_stream>(stream_);
}

asio::awaitable<error_code> connection::open(const origin& o, std::chrono::milliseconds connect_timeout,
                                             std::chrono::milliseconds handshake_timeout, SSL_SESSION* session,
                                             std::string& why)
{
    const auto cs = co_await asio::this_coro::cancellation_state;
    if (is_cancelled(cs)) {
        why = "cancelled before connecting";
        co_return error_code(error::cancelled);
    }
    std::vector<asio::ip::tcp::endpoint> endpoints;
    error_code ec = co_await resolve(o, connect_timeout, endpoints, why);
    if (!ec && is_cancelled(cs)) {
        why = "cancelled before connecting";
        ec = error::cancelled;
    }
    if (!ec)
        ec = co_await connect(o, endpoints, connect_timeout, handshake_timeout, session, why);
    co_return ec;
}

asio::awaitable<error_code> connection::connect(const origin& o, const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                                std::chrono::milliseconds connect_timeout,
                                                std::chrono::milliseconds handshake_timeout, SSL_SESSION* session,
                                                std::string& why)
{
    auto& t = tcp();
    t.expires_after(connect_timeout);
    auto [cec, ep] = co_await t.async_connect(endpoints, use_tuple);
    if (cec) {
        auto mapped = classify_transport_error(cec);
        if (mapped != error::cancelled && mapped != error::timeout)
            mapped = error::connect_failed;
        why = "cannot connect to " + o.host + ":" + std::to_string(o.port) + ": " + cec.message();
        co_return mapped;
    }
    t.socket().set_option(asio::ip::tcp::no_delay(true));
    if (auto* s = std::get_if<tls_stream>(&stream_)) {
        error_code ec;
        if (!set_peer_identity(s->native_handle(), o.host, o.host_is_ip, ec)) {
            why = "cannot set the TLS peer name '" + o.host + "'";
            co_return ec;
        }
        if (session)
            SSL_set_session(s->native_handle(), session);
        if (is_cancelled(co_await asio::this_coro::cancellation_state)) {
            why = "cancelled before the TLS handshake";
            co_return error_code(error::cancelled);
        }
        t.expires_after(handshake_timeout);
        auto [hec] = co_await s->async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (hec) {
            auto mapped = classify_transport_error(hec);
            if (mapped != error::cancelled && mapped != error::timeout) {
                why = describe_tls_failure(s->native_handle(), hec);
                mapped = error::tls_handshake_failed;
            } else {
                why = "TLS handshake: " + hec.message();
            }
            co_return mapped;
        }
        resumed_session = SSL_session_reused(s->native_handle()) == 1;
    }
    t.expires_never();
    co_return error_code{};
}

asio::awaitable<error_code> connection::exchange(const asio::any_io_executor& ex, const outgoing_request& req,
                                                 exchange_result& result, clock::time_point deadline,
                                                 const response_limits& limits, const chunk_sink* sink,
                                                 std::string& why)
{
    // Not a coroutine: the caller awaits http_exchange's own frame.
    clock_->number.fetch_add(1, std::memory_order_relaxed);
    clock_->timed_out = false;
    time_limit_started_ = false;
    // Before every I/O step: the first starts the time limit. Once it has passed, the
    // socket is closed, so that a step started after the timer fired fails at once.
    const auto arm = [this, &ex, deadline] {
        if (clock_->timed_out)
            tcp().close();
        else if (!std::exchange(time_limit_started_, true))
            start_time_limit(ex, deadline);
    };
    if (auto* s = std::get_if<tls_stream>(&stream_))
        return http_exchange(*s, buffer_, *chunk_, req, result, limits, sink, why, arm);
    return http_exchange(std::get<plain_stream>(stream_), buffer_, *chunk_, req, result, limits, sink, why, arm);
}

void connection::start_time_limit(const asio::any_io_executor& ex, clock::time_point deadline)
{
    time_limit_.expires_at(deadline);
    const std::uint64_t number = clock_->number.load(std::memory_order_relaxed);
    // The wait ends on the I/O executor: its usual end, cancelled by exchange_done, costs no
    // hop to the exchange's executor; only a real expiry goes there.
    time_limit_.async_wait([c = clock_, this, number, ex](const error_code& ec) {
        if (ec)
            return;
        asio::post(ex, [c, this, number] {
            // The number still matching means the exchange has not ended (its end runs on
            // this executor too), so the connection is alive.
            if (c->number.load(std::memory_order_acquire) != number)
                return;
            c->timed_out = true;
            // Closed, not cancelled: a composed read (TLS, a header in pieces) whose last
            // step had just completed starts another, which must fail at once too.
            tcp().close();
        });
    });
}

error_code connection::exchange_done(error_code ec, std::string& why)
{
    clock_->number.fetch_add(1, std::memory_order_release);
    if (time_limit_started_)
        time_limit_.cancel();
    last_used = clock::now();
    if (ec && clock_->timed_out) {
        ec = error::timeout;
        why = "the attempt's time limit passed (" + why + ")";
    }
    if (ec) {
        close();
        return ec;
    }
    reused = true;
    return ec;
}

bool connection::idle_and_usable() const
{
    const auto& sock = std::visit(
        [](const auto& s) -> const asio::ip::tcp::socket& {
            if constexpr (std::is_same_v<std::decay_t<decltype(s)>, tls_stream>)
                return s.next_layer().socket();
            else
                return s.socket();
        },
        stream_);
    if (!sock.is_open())
        return false;
    // Anything readable on an idle HTTP/1.1 connection is EOF, a TLS alert or garbage.
    pollfd p{};
    p.fd = const_cast<asio::ip::tcp::socket&>(sock).native_handle();
    p.events = POLLIN;
    const int n = ::poll(&p, 1, 0);
    return n == 0;
}

SSL_SESSION* connection::take_session() const
{
    if (const auto* s = std::get_if<tls_stream>(&stream_)) {
        SSL_SESSION* session = SSL_get1_session(const_cast<tls_stream*>(s)->native_handle());
        if (session && SSL_SESSION_is_resumable(session) != 1) {
            SSL_SESSION_free(session);
            return nullptr;
        }
        return session;
    }
    return nullptr;
}

connection::~connection() { keep_session_resumable(); }

void connection::keep_session_resumable() noexcept
{
    // OpenSSL marks the session of an SSL freed without a TLS shutdown as not resumable
    // (ssl_clear_bad_session), which would undo resumption for every connection the server
    // or the pool closes. A connection that completed an exchange ended in good standing.
    if (auto* s = std::get_if<tls_stream>(&stream_); s && reused)
        SSL_set_shutdown(s->native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

void connection::close() noexcept
{
    keep_session_resumable();
    error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
}

} // namespace batchwire::detail
