#ifndef BATCHWIRE_SRC_CONNECTION_HPP
#define BATCHWIRE_SRC_CONNECTION_HPP

// One HTTP/1.1 connection (TLS or plain TCP): connect, then one exchange at a time.
// Not thread-safe: a connection is used by one operation at a time (the pool's lease).

#include "http_exchange.hpp"
#include "origin.hpp"

#include <batchwire/client_options.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/message.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace batchwire::detail {

using clock = std::chrono::steady_clock;
namespace http = boost::beast::http;

class connection {
public:
    using tls_stream = boost::asio::ssl::stream<boost::beast::tcp_stream>;
    using plain_stream = boost::beast::tcp_stream;

    // ssl_ctx is null for http:// origins.
    connection(boost::asio::any_io_executor ex, boost::asio::ssl::context* ssl_ctx, std::uint64_t id);

    std::uint64_t id() const noexcept { return id_; }

    // Resolves the origin's host and connects to one of its addresses (both within
    // connect_timeout), then does the TLS handshake (within handshake_timeout), resuming
    // `session` when given. Checks the coroutine's cancellation before each step. Errors:
    // connect_failed, timeout, tls_handshake_failed, cancelled, with a reason in `why`.
    boost::asio::awaitable<boost::system::error_code> open(const origin& o, std::chrono::milliseconds connect_timeout,
                                                           std::chrono::milliseconds handshake_timeout,
                                                           SSL_SESSION* session, std::string& why);

    // Writes the request and reads the response (http_exchange), all before `deadline`. A
    // 2xx body goes to `sink` when given; any other body is kept in result.body within
    // limits. `ex` is the awaiting coroutine's executor: the time limit's handler runs there,
    // never concurrently with the exchange. The caller then reports the outcome to
    // exchange_done.
    boost::asio::awaitable<boost::system::error_code>
    exchange(const boost::asio::any_io_executor& ex, const outgoing_request& req, exchange_result& result,
             clock::time_point deadline, const response_limits& limits, const chunk_sink* sink, std::string& why);

    // After an exchange, on the same executor: closed on any error, else ready for the next
    // one. Returns the exchange's error, which is `timeout` when the time limit ended it.
    boost::system::error_code exchange_done(boost::system::error_code ec, std::string& why);

    // An idle connection the server has closed (or sent anything to) cannot be reused.
    // A non-blocking check of the socket; false when it is not open.
    bool idle_and_usable() const;

    // The session to resume on the next connection to the same origin (owned by the caller).
    SSL_SESSION* take_session() const;

    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void close() noexcept;
    bool reused = false;                 // served an exchange before
    bool resumed_session = false;        // its TLS handshake resumed an earlier session
    bool session_offered = false;        // its session went to the pool (once is enough)
    clock::time_point last_used{};

private:
    // TCP connect to one of `endpoints`, then the TLS handshake (see open).
    boost::asio::awaitable<boost::system::error_code>
    connect(const origin& o, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
            std::chrono::milliseconds connect_timeout, std::chrono::milliseconds handshake_timeout,
            SSL_SESSION* session, std::string& why);
    void keep_session_resumable() noexcept;

    boost::beast::tcp_stream& tcp() noexcept;

    // An exchange's time limit: one timer wait per exchange (Beast's stream timeout would
    // start one per read and per write). Shared with the wait's handler, which may run after
    // the exchange (or the connection) ended: it acts only on the exchange it was started for.
    struct exchange_clock {
        std::atomic<std::uint64_t> number{0}; // of the exchange in progress; bumped when one ends
        bool timed_out = false;               // only touched on the exchange's executor
    };
    void start_time_limit(const boost::asio::any_io_executor& ex, clock::time_point deadline);

    std::variant<plain_stream, tls_stream> stream_;
    boost::asio::steady_timer time_limit_;
    std::shared_ptr<exchange_clock> clock_ = std::make_shared<exchange_clock>();
    bool time_limit_started_ = false;
    std::uint64_t id_;
    boost::beast::flat_buffer buffer_;
    std::unique_ptr<exchange_chunk> chunk_ = std::make_unique<exchange_chunk>();
};

} // namespace batchwire::detail

#endif
