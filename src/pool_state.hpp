#ifndef BATCHWIRE_SRC_POOL_STATE_HPP
#define BATCHWIRE_SRC_POOL_STATE_HPP

// The connection pool's bookkeeping as a state machine without I/O: the idle list (most
// recently used first), FIFO waiters, max_size, idle expiry, and fresh vs any. Events go
// in (acquire, release, cancel, shutdown) with the time; decisions come out (grant this
// waiter this idle connection or a new one, close these). connection_pool carries them out
// on its strand; the unit tests drive it with plain values and a made-up clock.
//
// Conn is a movable handle of a connection; Waiter a movable waiter. Invariant: open()
// (idle + handed out + being made) never exceeds max_size.

#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <utility>
#include <vector>

namespace batchwire::detail {

enum class acquire_kind {
    any,   // an idle connection when one is usable, else a fresh one
    fresh, // a fresh one; the idle connections are closed
};

template <class Conn, class Waiter>
class pool_state {
public:
    using time_point = std::chrono::steady_clock::time_point;

    // A waiter served: with an idle connection, or (conn empty) with a new one to make.
    struct grant {
        Waiter waiter;
        std::optional<Conn> conn;
        bool fresh() const noexcept { return !conn.has_value(); }
    };

    // What the I/O layer does after an event, in this order: close, then grant.
    struct actions {
        std::vector<Conn> close;      // connections to close
        std::size_t stale = 0;        // of those, idle ones found expired or unusable
        std::optional<grant> granted; // a waiter to complete
        bool queued = false;          // the waiter waits
    };

    pool_state(std::size_t max_size, std::chrono::milliseconds idle_timeout, bool keep_idle)
        : max_size_(max_size == 0 ? 1 : max_size), idle_timeout_(idle_timeout), keep_idle_(keep_idle)
    {
    }

    // What try_acquire decides: close these, then, when granted, use `conn` (a new one to
    // make when it is empty).
    struct immediate {
        std::vector<Conn> close;
        std::size_t stale = 0;
        bool granted = false;
        std::optional<Conn> conn;
    };

    // A waiter asks for a connection. `usable(conn)` says whether an idle connection is still
    // open and quiet (a socket check in the pool; any predicate in tests).
    template <class Usable>
    actions acquire(Waiter w, acquire_kind kind, time_point now, Usable&& usable)
    {
        actions a;
        if (shut_down_)
            return a; // the caller fails the waiter
        immediate got = take(kind, now, usable);
        a.close = std::move(got.close);
        a.stale = got.stale;
        if (got.granted) {
            a.granted = grant{std::move(w), std::move(got.conn)};
            return a;
        }
        waiters_.push_back(waiting{std::move(w), kind});
        a.queued = true;
        return a;
    }

    // The same decision for a caller that has not queued and would rather not: a connection
    // now, or nothing granted and nothing queued (the caller then acquires and waits). Never
    // overtakes a waiter.
    template <class Usable>
    immediate try_acquire(acquire_kind kind, time_point now, Usable&& usable)
    {
        if (shut_down_ || !waiters_.empty())
            return immediate{};
        return take(kind, now, usable);
    }

    // A connection comes back; reusable: it ended a complete keep-alive exchange.
    actions release(Conn c, bool reusable, time_point now)
    {
        actions a;
        if (reusable && keep_idle_ && !shut_down_) {
            if (waiters_.empty()) {
                idle_.push_back(entry{std::move(c), now});
                return a;
            }
            if (waiters_.front().kind == acquire_kind::any) {
                a.granted = grant{pop_waiter(), std::move(c)};
                return a;
            }
            // The next waiter wants a fresh connection: this one makes way for it.
        }
        a.close.push_back(std::move(c));
        if (!waiters_.empty() && !shut_down_)
            a.granted = grant{pop_waiter(), std::nullopt}; // a new one in the closed one's place
        else
            --open_;
        return a;
    }

    // A connection being made for a grant failed before it was handed out, or a handed-out
    // one was dropped without coming back: its place is free (the next waiter gets it).
    actions forget_one()
    {
        actions a;
        if (!waiters_.empty() && !shut_down_)
            a.granted = grant{pop_waiter(), std::nullopt};
        else
            --open_;
        return a;
    }

    // Removes the first waiter `match` accepts; nullopt when none (already granted).
    template <class Match>
    std::optional<Waiter> cancel(Match&& match)
    {
        for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
            if (match(it->waiter)) {
                Waiter w = std::move(it->waiter);
                waiters_.erase(it);
                return w;
            }
        }
        return std::nullopt;
    }

    // Closes the idle connections and hands back every waiter (to fail). Later acquires
    // queue nothing, later releases close their connection.
    std::pair<actions, std::list<Waiter>> shutdown()
    {
        shut_down_ = true;
        actions a;
        close_all_idle(a);
        std::list<Waiter> ws;
        for (auto& w : waiters_)
            ws.push_back(std::move(w.waiter));
        waiters_.clear();
        return {std::move(a), std::move(ws)};
    }

    std::size_t open() const noexcept { return open_; }
    std::size_t idle() const noexcept { return idle_.size(); }
    std::size_t waiting_count() const noexcept { return waiters_.size(); }
    bool shut_down() const noexcept { return shut_down_; }

private:
    struct entry {
        Conn conn;
        time_point last_used;
    };
    // A list: erasing from a deque move-assigns its elements, and Boost 1.81's
    // any_completion_handler move assignment recurses without end.
    struct waiting {
        Waiter waiter;
        acquire_kind kind;
    };

    template <class Usable>
    immediate take(acquire_kind kind, time_point now, Usable& usable)
    {
        immediate got;
        if (kind == acquire_kind::fresh) {
            for (auto& e : idle_)
                got.close.push_back(std::move(e.conn));
            open_ -= idle_.size();
            idle_.clear();
        }
        while (!idle_.empty()) {
            entry e = std::move(idle_.back()); // most recently used first
            idle_.pop_back();
            if (now - e.last_used < idle_timeout_ && usable(e.conn)) {
                got.granted = true;
                got.conn = std::move(e.conn);
                return got;
            }
            ++got.stale;
            got.close.push_back(std::move(e.conn));
            --open_;
        }
        if (open_ < max_size_) {
            ++open_;
            got.granted = true;
        }
        return got;
    }

    Waiter pop_waiter()
    {
        Waiter w = std::move(waiters_.front().waiter);
        waiters_.pop_front();
        return w;
    }

    void close_all_idle(actions& a)
    {
        for (auto& e : idle_) {
            a.close.push_back(std::move(e.conn));
            --open_;
        }
        idle_.clear();
    }

    std::size_t max_size_;
    std::chrono::milliseconds idle_timeout_;
    bool keep_idle_;
    std::vector<entry> idle_;
    std::list<waiting> waiters_;
    std::size_t open_ = 0;
    bool shut_down_ = false;
};

} // namespace batchwire::detail

#endif
