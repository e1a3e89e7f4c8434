#ifndef BATCHWIRE_SRC_CONNECTION_POOL_HPP
#define BATCHWIRE_SRC_CONNECTION_POOL_HPP

// The per-origin connection pool. Its state is touched only under its mutex, for a few
// bookkeeping steps (no I/O, no completion runs there); operations reach it through
// acquire_ready, async_acquire and the lease's destructor, from any thread. A connection
// that is free now is handed out without leaving the caller's thread.
//
// acquire: a usable idle connection (most recently used first), else a fresh unconnected
// one while fewer than max_size exist, else the caller waits in FIFO order. Waiting is
// cancellable (any cancellation type). A lease returns its connection on destruction; the
// connection is kept only if the holder marked it reusable (a complete response on a
// keep-alive connection), otherwise it is closed and its place given to the next waiter.
// acquire_kind::fresh never hands out a kept-alive connection: it closes the idle ones
// first, and a waiter that wants a fresh connection is given a new one in the place of a
// connection returned for reuse (which is closed), so open <= max_size and FIFO hold.
// Those rules are pool_state's (pool_state.hpp, tested without I/O); this class carries
// them out after the mutex is released: completions, closes, TLS sessions and counters.

#include "connection.hpp"
#include "pool_state.hpp"

#include <batchwire/pool_params.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/async_result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace batchwire::detail {

class connection_pool;

class lease {
public:
    lease() = default;
    lease(std::shared_ptr<connection_pool> pool, std::unique_ptr<connection> conn, bool fresh, SSL_SESSION* session);
    lease(lease&&) noexcept;
    lease& operator=(lease&&) noexcept;
    ~lease();

    connection& conn() noexcept { return *conn_; }
    bool fresh() const noexcept { return fresh_; }
    // The TLS session to resume when connecting a fresh connection (may be null).
    SSL_SESSION* session() const noexcept { return session_; }
    // Keep the connection for reuse when the lease ends.
    void set_reusable(bool r) noexcept { reusable_ = r; }
    explicit operator bool() const noexcept { return conn_ != nullptr; }

private:
    void reset() noexcept;
    std::shared_ptr<connection_pool> pool_;
    std::unique_ptr<connection> conn_;
    SSL_SESSION* session_ = nullptr;
    bool fresh_ = false;
    bool reusable_ = false;
};

// What acquire_ready asks for.
struct ready_params {
    acquire_kind kind = acquire_kind::any;
    clock::time_point call_deadline = clock::time_point::max(); // waiting for a connection ends here
    std::chrono::milliseconds attempt_timeout{0}; // counted from when a connection is granted
};

enum class ready_outcome {
    ready,           // out.l holds a connected connection (reused, or fresh and handshaken)
    connect_failed,  // a fresh connection could not be made (out.ec, out.why): the attempt failed
    deadline_passed, // the call's deadline passed while waiting for a connection
    cancelled,       // cancelled while waiting or right after: nothing was sent
};

struct ready_connection {
    lease l;
    clock::time_point attempt_deadline; // min(call deadline, grant time + attempt_timeout)
    bool fresh = false;
    std::uint64_t connection_id = 0;
    std::chrono::microseconds connect_time{0}; // a fresh one's resolve, connect and handshake
    boost::system::error_code ec;
    std::string why;
};

struct pool_stats {
    std::uint64_t opened = 0;  // fresh connections handed out
    std::uint64_t reused = 0;  // idle connections handed out
    std::uint64_t closed = 0;
    std::uint64_t stale = 0;   // idle connections found closed by the server or expired
    std::uint64_t resumed = 0; // fresh connections whose TLS handshake resumed a session
};

class connection_pool : public std::enable_shared_from_this<connection_pool> {
public:
    using acquire_signature = void(boost::system::error_code, lease);

    connection_pool(boost::asio::any_io_executor ex, pool_params params, boost::asio::ssl::context* ssl_ctx);
    ~connection_pool();
    connection_pool(const connection_pool&) = delete;
    connection_pool& operator=(const connection_pool&) = delete;

    // acquire_kind::fresh is for the retry after the server closed a kept-alive connection
    // under a request: the other idle connections are as old or older, so they are suspect
    // too and are closed (counted in `closed`, not `stale`: nobody saw them fail).
    template <class Token>
    auto async_acquire(acquire_kind kind, Token&& token)
    {
        return boost::asio::async_initiate<Token, acquire_signature>(
            [self = shared_from_this(), kind](auto handler) {
                self->initiate_acquire(kind,
                                       boost::asio::any_completion_handler<acquire_signature>(std::move(handler)));
            },
            token);
    }

    // A connection ready for an exchange: acquires one (as async_acquire, waiting at most
    // until the call's deadline), then, when it is fresh, connects it to `o` within the
    // attempt's time and pool_params' connect/handshake timeouts, resuming the pool's TLS
    // session. A fresh connection that fails is closed (its place goes to the next waiter).
    // Checks the coroutine's cancellation before every I/O step. `o` must outlive the call.
    boost::asio::awaitable<ready_outcome> acquire_ready(const origin& o, ready_params p, ready_connection& out);

    // The common case of acquire_ready without a coroutine: true, and `out` filled, when an
    // idle connection is free now. Otherwise acquire_ready does the rest, starting from any
    // lease for a fresh connection this left in `out.l`.
    bool try_ready(const ready_params& p, ready_connection& out);

    // Closes the idle connections and fails the waiters (operation_aborted). Leases still out
    // close their connection when they end.
    void shutdown();

    pool_stats stats() const noexcept;
    const pool_params& params() const noexcept { return params_; }

private:
    friend class lease;
    struct waiter {
        std::uint64_t id;
        acquire_kind kind;
        boost::asio::any_completion_handler<acquire_signature> handler;
    };

    boost::asio::awaitable<ready_outcome> wait_for_lease(acquire_kind kind, clock::time_point deadline, lease& out);
    boost::asio::awaitable<boost::system::error_code> connect_fresh(const origin& o, ready_connection& out);
    using state_type = pool_state<std::unique_ptr<connection>, waiter>;

    // A lease now when one is free (nothing waits and none is needed), else an empty one.
    lease try_acquire(acquire_kind kind);
    static void grant(const ready_params& p, lease l, ready_connection& out);
    void initiate_acquire(acquire_kind kind, boost::asio::any_completion_handler<acquire_signature> h);
    void cancel_waiter(std::uint64_t id);
    void release(std::unique_ptr<connection> conn, bool reusable);
    void keep_session(connection& c);
    SSL_SESSION* session_to_resume();
    // Carries out the bookkeeping's decisions: closes, then completes a waiter.
    void carry_out(state_type::actions a);
    lease lease_of(std::unique_ptr<connection> idle);
    std::unique_ptr<connection> new_connection();
    void close_connection(connection& c);

    boost::asio::any_io_executor ex_;
    pool_params params_;
    boost::asio::ssl::context* ssl_ctx_;

    std::mutex mutex_; // guards state_ and session_
    state_type state_;
    SSL_SESSION* session_ = nullptr;

    std::atomic<std::uint64_t> next_id_{1};
    std::atomic<std::uint64_t> opened_{0}, reused_{0}, closed_{0}, stale_{0}, resumed_{0};
};

} // namespace batchwire::detail

#endif
