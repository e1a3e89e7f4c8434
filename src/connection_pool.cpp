#include "connection_pool.hpp"

#include "cancellation_check.hpp"
#include "complete_elsewhere.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>
#include <tuple>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

lease::lease(std::shared_ptr<connection_pool> pool, std::unique_ptr<connection> conn, bool fresh, SSL_SESSION* session)
    : pool_(std::move(pool)), conn_(std::move(conn)), session_(session), fresh_(fresh)
{
}

lease::lease(lease&& o) noexcept
    : pool_(std::move(o.pool_)), conn_(std::move(o.conn_)), session_(std::exchange(o.session_, nullptr)),
      fresh_(o.fresh_), reusable_(o.reusable_)
{
}

lease& lease::operator=(lease&& o) noexcept
{
    if (this != &o) {
        reset();
        pool_ = std::move(o.pool_);
        conn_ = std::move(o.conn_);
        session_ = std::exchange(o.session_, nullptr);
        fresh_ = o.fresh_;
        reusable_ = o.reusable_;
    }
    return *this;
}

lease::~lease() { reset(); }

void lease::reset() noexcept
{
    if (session_)
        SSL_SESSION_free(std::exchange(session_, nullptr));
    if (pool_ && conn_)
        pool_->release(std::move(conn_), reusable_);
    pool_.reset();
    conn_.reset();
}

connection_pool::connection_pool(asio::any_io_executor ex, pool_params params, asio::ssl::context* ssl_ctx)
    : ex_(ex), params_(params), ssl_ctx_(ssl_ctx), state_(params.max_size, params.idle_timeout, params.enabled)
{
    if (params_.max_size == 0)
        params_.max_size = 1;
}

connection_pool::~connection_pool()
{
    if (session_)
        SSL_SESSION_free(session_);
}

pool_stats connection_pool::stats() const noexcept
{
    return {opened_.load(), reused_.load(), closed_.load(), stale_.load(), resumed_.load()};
}

namespace {

bool usable_idle(const std::unique_ptr<connection>& c) { return c->idle_and_usable(); }

} // namespace

lease connection_pool::try_acquire(acquire_kind kind)
{
    state_type::immediate got;
    {
        std::lock_guard lock(mutex_);
        got = state_.try_acquire(kind, clock::now(), usable_idle);
    }
    for (auto& c : got.close)
        close_connection(*c);
    stale_.fetch_add(got.stale);
    if (!got.granted)
        return lease{};
    return lease_of(got.conn ? std::move(*got.conn) : nullptr);
}

void connection_pool::initiate_acquire(acquire_kind kind, asio::any_completion_handler<acquire_signature> h)
{
    const auto id = next_id_.fetch_add(1);
    // Runs where the operation runs (its strand, as does this function).
    auto slot = asio::get_associated_cancellation_slot(h);
    if (slot.is_connected()) {
        slot.assign([weak = weak_from_this(), id](asio::cancellation_type type) {
            if (type == asio::cancellation_type::none)
                return;
            if (auto self = weak.lock())
                self->cancel_waiter(id);
        });
    }
    std::unique_lock lock(mutex_);
    if (state_.shut_down()) {
        lock.unlock();
        complete_elsewhere(ex_, std::move(h), asio::error::operation_aborted, lease{});
        return;
    }
    auto a = state_.acquire(waiter{id, kind, std::move(h)}, kind, clock::now(), usable_idle);
    lock.unlock();
    carry_out(std::move(a));
}

void connection_pool::cancel_waiter(std::uint64_t id)
{
    std::unique_lock lock(mutex_);
    auto w = state_.cancel([id](const waiter& x) { return x.id == id; });
    lock.unlock();
    if (!w)
        return; // already granted: the operation sees its lease, then its own cancellation
    complete_elsewhere(ex_, std::move(w->handler), asio::error::operation_aborted, lease{});
}

// Never under the mutex: closing and completing may end leases, whose release locks it.
void connection_pool::carry_out(state_type::actions a)
{
    for (auto& c : a.close)
        close_connection(*c);
    stale_.fetch_add(a.stale);
    if (a.granted) {
        auto idle = a.granted->fresh() ? nullptr : std::move(*a.granted->conn);
        // Completed later, never inside the caller's initiation or the pool's bookkeeping.
        complete_elsewhere(ex_, std::move(a.granted->waiter.handler), error_code{}, lease_of(std::move(idle)));
    }
}

// A lease on an idle connection (counted as reused), or on a new one when `idle` is null
// (counted as opened, offered the session to resume).
lease connection_pool::lease_of(std::unique_ptr<connection> idle)
{
    if (idle) {
        reused_.fetch_add(1);
        return lease(shared_from_this(), std::move(idle), false, nullptr);
    }
    opened_.fetch_add(1);
    return lease(shared_from_this(), new_connection(), true, session_to_resume());
}

SSL_SESSION* connection_pool::session_to_resume()
{
    if (!params_.tls_session_resumption)
        return nullptr;
    std::lock_guard lock(mutex_);
    return session_ && SSL_SESSION_up_ref(session_) == 1 ? session_ : nullptr;
}

std::unique_ptr<connection> connection_pool::new_connection()
{
    // Each connection gets its own strand-free executor: only its lease holder touches it.
    return std::make_unique<connection>(ex_, ssl_ctx_, next_id_.fetch_add(1));
}

void connection_pool::close_connection(connection& c)
{
    c.close();
    closed_.fetch_add(1);
}

void connection_pool::keep_session(connection& c)
{
    // Any connection that completed an exchange has a session worth resuming, kept alive
    // or not (a `Connection: close` answer, a pool that is disabled). Its first exchange
    // has read the server's tickets; later ones add nothing.
    if (!c.reused || c.session_offered || !params_.tls_session_resumption)
        return;
    c.session_offered = true;
    SSL_SESSION* s = c.take_session();
    if (!s)
        return;
    std::unique_lock lock(mutex_);
    std::swap(session_, s);
    lock.unlock();
    if (s)
        SSL_SESSION_free(s);
}

void connection_pool::release(std::unique_ptr<connection> conn, bool reusable)
{
    keep_session(*conn);
    std::unique_lock lock(mutex_);
    auto a = state_.release(std::move(conn), reusable, clock::now());
    lock.unlock();
    carry_out(std::move(a));
}

asio::awaitable<ready_outcome> connection_pool::wait_for_lease(acquire_kind kind, clock::time_point deadline,
                                                               lease& out)
{
    error_code ec;
    if (deadline == clock::time_point::max()) {
        std::tie(ec, out) = co_await async_acquire(kind, use_tuple);
    } else {
        asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
        auto r = co_await (async_acquire(kind, use_tuple) || timer.async_wait(use_tuple));
        if (r.index() == 1)
            co_return ready_outcome::deadline_passed;
        std::tie(ec, out) = std::get<0>(std::move(r));
    }
    co_return ec ? ready_outcome::cancelled : ready_outcome::ready;
}

asio::awaitable<error_code> connection_pool::connect_fresh(const origin& o, ready_connection& out)
{
    using std::chrono::milliseconds;
    const auto t0 = clock::now();
    // Connecting is part of the attempt: its limits never reach past the attempt's end.
    const auto left = std::max(std::chrono::duration_cast<milliseconds>(out.attempt_deadline - t0), milliseconds(1));
    connection& c = out.l.conn();
    const error_code ec = co_await c.open(o, std::min(params_.connect_timeout, left),
                                          std::min(params_.handshake_timeout, left), out.l.session(), out.why);
    if (!ec && c.resumed_session)
        resumed_.fetch_add(1);
    out.connect_time = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0);
    co_return ec;
}

void connection_pool::grant(const ready_params& p, lease l, ready_connection& out)
{
    out.attempt_deadline = std::min(p.call_deadline, clock::now() + p.attempt_timeout);
    out.fresh = l.fresh();
    out.connection_id = l.conn().id();
    out.l = std::move(l);
}

bool connection_pool::try_ready(const ready_params& p, ready_connection& out)
{
    lease l = try_acquire(p.kind); // no waiting, no hop
    if (!l)
        return false;
    if (l.fresh()) {
        out.l = std::move(l);
        return false;
    }
    grant(p, std::move(l), out);
    return true;
}

asio::awaitable<ready_outcome> connection_pool::acquire_ready(const origin& o, ready_params p, ready_connection& out)
{
    lease l = out.l ? std::move(out.l) : try_acquire(p.kind);
    if (!l) {
        const auto waited = co_await wait_for_lease(p.kind, p.call_deadline, l);
        if (waited != ready_outcome::ready)
            co_return waited;
    }
    if (is_cancelled(co_await asio::this_coro::cancellation_state)) {
        l.set_reusable(!l.fresh()); // an idle connection is still good; a fresh one was never opened
        co_return ready_outcome::cancelled;
    }
    grant(p, std::move(l), out);
    if (out.fresh) {
        out.ec = co_await connect_fresh(o, out);
        if (out.ec) {
            out.l = lease{}; // closed: its place goes to the next waiter
            co_return ready_outcome::connect_failed;
        }
    }
    co_return ready_outcome::ready;
}

void connection_pool::shutdown()
{
    std::unique_lock lock(mutex_);
    auto [closing, waiters] = state_.shutdown();
    lock.unlock();
    carry_out(std::move(closing));
    for (auto& w : waiters)
        complete_elsewhere(ex_, std::move(w.handler), asio::error::operation_aborted, lease{});
}

} // namespace batchwire::detail
