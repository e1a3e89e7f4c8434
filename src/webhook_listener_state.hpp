#ifndef BATCHWIRE_SRC_WEBHOOK_LISTENER_STATE_HPP
#define BATCHWIRE_SRC_WEBHOOK_LISTENER_STATE_HPP

// The listener's shared state: acceptor and connection registry (on `strand`), the
// receiver, the TLS context, the event strand and the counters.

#include <batchwire/webhook_listener.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

namespace batchwire::detail {

// One connection, as the registry sees it.
class webhook_connection {
public:
    virtual ~webhook_connection() = default;
    // Closes the socket from any thread (posted to the connection's strand).
    virtual void close() = 0;
};

struct webhook_listener_counters {
    std::atomic<std::uint64_t> connections{0}, connections_over_limit{0}, requests{0}, accepted{0}, duplicates{0},
        refused{0}, handler_exceptions{0};
};

struct webhook_listener_state : std::enable_shared_from_this<webhook_listener_state> {
    webhook_listener_state(boost::asio::any_io_executor ex, const webhook_listener_options& o,
                           webhook_event_handler handler);

    boost::asio::any_io_executor executor;
    boost::asio::strand<boost::asio::any_io_executor> strand;        // acceptor, registry, run state
    boost::asio::strand<boost::asio::any_io_executor> events_strand; // the event handler's calls
    webhook_listener_options opts;
    webhook_receiver receiver;
    webhook_event_handler on_event;
    std::optional<boost::asio::ssl::context> tls;
    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::ip::tcp::endpoint bound;
    webhook_listener_counters counters;

    // Strand-only.
    bool started = false;
    bool stopping = false;       // the acceptor is closed, for whatever reason
    bool stop_requested = false; // by stop(): run() completes without error
    std::uint64_t next_connection_id = 0;
    std::map<std::uint64_t, std::weak_ptr<webhook_connection>> connections;

    // Strand-only: closes the acceptor and every connection.
    void shut_down();
    // Hands an accepted event to the handler, on the event strand.
    void deliver(webhook_event e);
    void report(webhook_refusal r);
};

// Starts serving an accepted socket (its executor is the connection's strand); registers
// the connection and unregisters it when it ends. Strand-only.
void start_webhook_connection(const std::shared_ptr<webhook_listener_state>& st, boost::asio::ip::tcp::socket socket);

} // namespace batchwire::detail

#endif
