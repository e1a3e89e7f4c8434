#ifndef BATCHWIRE_WEBHOOK_LISTENER_HPP
#define BATCHWIRE_WEBHOOK_LISTENER_HPP

// An embeddable HTTP(S) endpoint for webhook deliveries, for applications that serve no
// HTTP of their own. It runs on the caller's executor and creates no thread.
//
//   batchwire::webhook_listener_options o;
//   o.endpoint = {asio::ip::make_address("0.0.0.0"), 8443};
//   o.receiver = batchwire::webhook_receiver_options::from_env(); // OPENAI_WEBHOOK_SECRET
//   o.tls = batchwire::webhook_tls_identity{cert_pem, key_pem};   // optional: HTTPS
//   batchwire::webhook_listener l(ctx.get_executor(), o, [](batchwire::webhook_event e) { ... });
//   co_await l.run();                                              // until l.stop() or cancellation
//
// Per request: POST to `path` only (404 for another path, 405 for another method, before
// the body is read); the header within max_header_bytes (else 431) and the body within
// receiver.verify.max_body_bytes (else 413, unread); the whole request within read_timeout
// (else the connection is closed). Then webhook_receiver decides: 200 for a verified event
// or a duplicate, 400 for a missing or malformed header, bad signature, stale or future
// timestamp or malformed body. The answer is written first; the event handler runs after it
// (also when writing failed: the delivery was verified and is remembered as seen), so
// handling never delays the answer. Duplicates never reach the handler.
// A connection that sends garbage, too much or too slowly is closed; the others go on.
// Nothing logged or reported holds a secret or a key.

#include <batchwire/webhook_event.hpp>
#include <batchwire/webhook_receiver.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace batchwire {

// A PEM certificate chain (the server's certificate first) and its PEM private key.
struct webhook_tls_identity {
    std::string certificate_chain_pem;
    std::string private_key_pem;
};

// A request the listener answered with an error status: for logs. Holds no header value,
// no body, no secret.
struct webhook_refusal {
    unsigned http_status = 0;      // 400, 404, 405, 408, 413, 431, ...
    boost::system::error_code ec;  // a webhook_error, a Beast HTTP error, or empty (404, 405)
    std::string message;           // which check failed, in words
    std::string remote;            // "address:port" of the peer
};

struct webhook_listener_options {
    // Where to listen; port 0 picks a free port (see local_endpoint()).
    boost::asio::ip::tcp::endpoint endpoint{boost::asio::ip::address_v4::loopback(), 8080};
    std::string path = "/webhook";         // the target deliveries are POSTed to (query ignored)
    webhook_receiver_options receiver;     // secrets, tolerance, body cap, duplicate window
    std::size_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds read_timeout{10000}; // one whole request, and an idle keep-alive wait
    std::size_t max_connections = 256;     // further connections are closed at once
    std::optional<webhook_tls_identity> tls; // HTTPS when set
    // Each refused request (on the connection's strand; must not block).
    std::function<void(const webhook_refusal&)> on_refusal;
};

// Receives each accepted event, after its answer was written. Calls are serialised (one at
// a time, on a strand of the listener's executor); it must not block. An exception it
// throws is caught and counted in stats().handler_exceptions.
using webhook_event_handler = std::function<void(webhook_event)>;

struct webhook_listener_stats {
    std::uint64_t connections = 0;          // accepted
    std::uint64_t connections_over_limit = 0; // closed at once: max_connections were open
    std::uint64_t requests = 0;             // complete request heads read
    std::uint64_t accepted = 0;             // events handed to the handler
    std::uint64_t duplicates = 0;
    std::uint64_t refused = 0;              // every non-2xx answer
    std::uint64_t handler_exceptions = 0;
};

namespace detail {
struct webhook_listener_state;
using listener_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
void launch_listener(std::shared_ptr<webhook_listener_state> st, listener_handler h);
} // namespace detail

class webhook_listener {
public:
    using executor_type = boost::asio::any_io_executor;

    // Binds and listens at once (so local_endpoint() is known before run()). Throws
    // batchwire::exception: webhook_error::bad_secret (no or an invalid secret),
    // error::invalid_argument (a path not starting with '/', a TLS identity that does not
    // load), or the system error of bind/listen (address in use, permission).
    webhook_listener(executor_type ex, const webhook_listener_options& opts, webhook_event_handler on_event);
    webhook_listener(webhook_listener&&) noexcept;
    webhook_listener& operator=(webhook_listener&&) noexcept;
    // Stops (as stop()).
    ~webhook_listener();

    executor_type get_executor() const noexcept;
    boost::asio::ip::tcp::endpoint local_endpoint() const;
    webhook_listener_stats stats() const noexcept;

    // Serves until stop() or cancellation. Handler: void(error_code).
    // - Completes with no error after stop(); with error::cancelled after per-operation
    //   cancellation (terminal, partial or total, through the handler's cancellation slot),
    //   which also stops the listener; with error::invalid_argument if already running or
    //   stopped.
    // - Executor: accepts on a strand of the listener's executor; each connection on its own
    //   strand; completes on the handler's associated executor (the listener's when none).
    // - Thread safety: start it once; the io_context may run on several threads.
    // - Lifetime: the listener may be destroyed while it runs (that stops it).
    template <class Token>
    auto async_run(Token&& token)
    {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [st = state_](auto h) { detail::launch_listener(st, detail::listener_handler(std::move(h))); }, token);
    }
    // Throwing form: batchwire::exception for the errors above.
    boost::asio::awaitable<void> run();

    // Closes the listening socket and every connection (a request in progress is dropped
    // unanswered: the sender retries it). Thread-safe, idempotent; run() then completes.
    void stop();

private:
    std::shared_ptr<detail::webhook_listener_state> state_;
};

} // namespace batchwire

#endif
