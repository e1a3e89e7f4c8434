#ifndef BATCHWIRE_EMULATOR_SERVER_CORE_HPP
#define BATCHWIRE_EMULATOR_SERVER_CORE_HPP

// The state shared by the listener, the lifecycle driver and every connection of one
// server. Held by shared_ptr so that coroutines outlive neither it nor each other badly:
// each session keeps the core alive until its coroutine ends.

#include <batchwire/emulator/api_state.hpp>
#include <batchwire/emulator/emulated_clock.hpp>
#include <batchwire/emulator/emulator_options.hpp>
#include <batchwire/emulator/fault_schedule.hpp>
#include <batchwire/emulator/request_handler.hpp>
#include <batchwire/emulator/tls_identity.hpp>
#include <batchwire/emulator/webhook_sender.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace batchwire::emulator::detail {

// A connection as the core sees it: something it can close from any thread.
class session_base {
public:
    virtual ~session_base() = default;
    virtual void close() = 0; // posts the close to the session's strand
};

class server_core : public std::enable_shared_from_this<server_core> {
public:
    server_core(boost::asio::any_io_executor ex, emulator_options options);

    void start();
    void stop();

    // Connections.
    // Registers a new session; false when the server is stopping or full (close it).
    bool register_session(std::uint64_t& id, const std::shared_ptr<session_base>& s);
    void unregister_session(std::uint64_t id);
    // Requests per route pattern: as their heads arrive, and once the API has handled them.
    struct route_counts {
        void add(std::string_view pattern);
        std::size_t get(std::string_view pattern) const; // see server::request_count
        mutable std::mutex mutex;
        std::map<std::string, std::size_t, std::less<>> by_route;
        std::size_t total = 0;
    };
    route_counts requests;
    route_counts handled;

    std::optional<std::chrono::milliseconds> poll_after_hint() const;
    void set_poll_after_hint(std::optional<std::chrono::milliseconds> hint);

    // Fixed at construction.
    const emulator_options opts;
    emulated_clock clock;
    api_state state;
    request_handler handler;
    fault_schedule faults;
    std::optional<tls_identity> identity;
    std::optional<boost::asio::ssl::context> ssl_ctx;
    boost::asio::any_io_executor executor;
    std::shared_ptr<webhook_sender> webhooks; // null without emulator_options::webhook_url

    // Changeable while serving.
    std::atomic<std::size_t> close_after_requests;
    std::atomic<std::int64_t> idle_close_ms;
    std::atomic<bool> stopped{false};
    std::atomic<std::size_t> accepted{0};
    std::atomic<std::size_t> open{0};

    boost::asio::ip::tcp::endpoint local_endpoint;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> drive_lifecycle();

    boost::asio::strand<boost::asio::any_io_executor> control_strand_; // acceptor and lifecycle timer
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer lifecycle_timer_;
    std::atomic<bool> started_{false};
    std::atomic<std::int64_t> poll_after_ms_; // < 0: none

    std::mutex sessions_mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions_;
    std::uint64_t next_session_id_ = 1;
};

// Starts serving an accepted connection (TLS or plain per the options) on its own strand.
void spawn_session(const std::shared_ptr<server_core>& core, boost::asio::ip::tcp::socket socket);

} // namespace batchwire::emulator::detail

#endif
