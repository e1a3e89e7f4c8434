// The pool's bookkeeping with plain values for connections and waiters and a made-up clock.

#include "../../src/pool_state.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

namespace {

using namespace batchwire::detail;
using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;

// A connection is its number; a waiter too.
using state = pool_state<int, int>;
const time_point t0 = time_point{} + std::chrono::hours(1);

bool always_usable(const int&) { return true; }

// Hands out what a grant asks for: the idle connection, or a new number.
struct mock_pool {
    explicit mock_pool(std::size_t max, milliseconds idle_timeout = milliseconds(1000), bool keep = true)
        : s(max, idle_timeout, keep)
    {
    }
    state s;
    int next_conn = 100;
    std::vector<int> closed;
    std::size_t stale = 0;

    // The connection the waiter got, or -1 when it waits.
    int take(state::actions a)
    {
        closed.insert(closed.end(), a.close.begin(), a.close.end());
        stale += a.stale;
        if (!a.granted)
            return -1;
        granted_to.push_back(a.granted->waiter);
        return a.granted->conn ? *a.granted->conn : next_conn++;
    }
    template <class Usable = bool (*)(const int&)>
    int acquire(int waiter, acquire_kind k = acquire_kind::any, time_point now = t0, Usable u = always_usable)
    {
        return take(s.acquire(waiter, k, now, u));
    }
    int release(int conn, bool reusable, time_point now = t0) { return take(s.release(conn, reusable, now)); }
    // The fast path: the connection got now, or -1 when the caller would have to wait.
    template <class Usable = bool (*)(const int&)>
    int try_acquire(acquire_kind k = acquire_kind::any, time_point now = t0, Usable u = always_usable)
    {
        auto got = s.try_acquire(k, now, u);
        closed.insert(closed.end(), got.close.begin(), got.close.end());
        stale += got.stale;
        if (!got.granted)
            return -1;
        return got.conn ? *got.conn : next_conn++;
    }
    std::vector<int> granted_to;
};

} // namespace

BOOST_AUTO_TEST_SUITE(pool_state_machine)

BOOST_AUTO_TEST_CASE(max_size_then_fifo_waiters)
{
    mock_pool p(2);
    BOOST_TEST(p.acquire(1) == 100); // fresh
    BOOST_TEST(p.acquire(2) == 101); // fresh
    BOOST_TEST(p.acquire(3) == -1);  // full: waits
    BOOST_TEST(p.acquire(4) == -1);
    BOOST_TEST(p.s.open() == 2u);
    BOOST_TEST(p.s.waiting_count() == 2u);
    // Returned for reuse: the first waiter gets it, then the second.
    BOOST_TEST(p.release(100, true) == 100);
    BOOST_TEST(p.granted_to.back() == 3);
    // Returned closed: the next waiter gets a new one in its place.
    BOOST_TEST(p.release(101, false) == 102);
    BOOST_TEST(p.granted_to.back() == 4);
    BOOST_TEST(p.closed == std::vector<int>{101}, boost::test_tools::per_element());
    BOOST_TEST(p.s.open() == 2u);
    BOOST_TEST(p.s.waiting_count() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_most_recent_first_and_expiry)
{
    mock_pool p(3, milliseconds(1000));
    p.acquire(1);
    p.acquire(2);
    p.release(100, true, t0);
    p.release(101, true, t0 + milliseconds(500));
    BOOST_TEST(p.s.idle() == 2u);
    // The most recently used first.
    BOOST_TEST(p.acquire(3, acquire_kind::any, t0 + milliseconds(600)) == 101);
    // 100 has been idle for exactly the timeout: expired, closed, a fresh one instead.
    BOOST_TEST(p.acquire(4, acquire_kind::any, t0 + milliseconds(1000)) == 102);
    BOOST_TEST(p.closed == std::vector<int>{100}, boost::test_tools::per_element());
    BOOST_TEST(p.stale == 1u);
    BOOST_TEST(p.s.open() == 2u);
}

BOOST_AUTO_TEST_CASE(idle_timeout_edges)
{
    struct row {
        long long timeout_ms, idle_for_ms;
        bool reused;
    };
    const row rows[] = {{1000, 999, true}, {1000, 1000, false}, {1000, 0, true},
                        {0, 0, false},     {-5, 0, false},      {1000, -50, true}}; // clock went back: still fresh
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("timeout " << r.timeout_ms << " idle " << r.idle_for_ms)
        {
            mock_pool p(1, milliseconds(r.timeout_ms));
            p.acquire(1);
            p.release(100, true, t0);
            BOOST_TEST((p.acquire(2, acquire_kind::any, t0 + milliseconds(r.idle_for_ms)) == 100) == r.reused);
            BOOST_TEST(p.s.open() == 1u);
        }
    }
}

BOOST_AUTO_TEST_CASE(unusable_idle_connections_are_closed)
{
    mock_pool p(3);
    p.acquire(1);
    p.acquire(2);
    p.acquire(3);
    p.release(100, true);
    p.release(101, true);
    p.release(102, true);
    // 102 and 101 were closed by the server: skipped (and closed), 100 is handed out.
    const auto usable = [](const int& c) { return c == 100; };
    BOOST_TEST(p.acquire(4, acquire_kind::any, t0, usable) == 100);
    BOOST_TEST(p.closed == (std::vector<int>{102, 101}), boost::test_tools::per_element());
    BOOST_TEST(p.stale == 2u);
    BOOST_TEST(p.s.open() == 1u);
}

BOOST_AUTO_TEST_CASE(fresh_closes_the_idle_ones)
{
    mock_pool p(2);
    p.acquire(1);
    p.acquire(2);
    p.release(100, true);
    BOOST_TEST(p.acquire(3, acquire_kind::fresh) == 102);
    BOOST_TEST(p.closed == std::vector<int>{100}, boost::test_tools::per_element());
    BOOST_TEST(p.stale == 0u); // nobody saw it fail
    BOOST_TEST(p.s.open() == 2u);
}

BOOST_AUTO_TEST_CASE(a_waiter_for_fresh_is_not_given_a_kept_alive_one)
{
    mock_pool p(1);
    p.acquire(1);
    BOOST_TEST(p.acquire(2, acquire_kind::fresh) == -1);
    BOOST_TEST(p.acquire(3) == -1);
    // The connection comes back reusable, but the first waiter wants a fresh one: it is
    // closed and a new one made in its place; FIFO holds and open stays at max_size.
    BOOST_TEST(p.release(100, true) == 101);
    BOOST_TEST(p.granted_to.back() == 2);
    BOOST_TEST(p.closed == std::vector<int>{100}, boost::test_tools::per_element());
    BOOST_TEST(p.release(101, true) == 101);
    BOOST_TEST(p.granted_to.back() == 3);
    BOOST_TEST(p.s.open() == 1u);
}

BOOST_AUTO_TEST_CASE(disabled_pool_keeps_nothing)
{
    mock_pool p(2, milliseconds(1000), false);
    p.acquire(1);
    p.release(100, true);
    BOOST_TEST(p.s.idle() == 0u);
    BOOST_TEST(p.s.open() == 0u);
    BOOST_TEST(p.closed == std::vector<int>{100}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cancelled_waiter_leaves_the_queue)
{
    mock_pool p(1);
    p.acquire(1);
    p.acquire(2);
    p.acquire(3);
    BOOST_TEST(p.s.cancel([](int w) { return w == 2; }).value() == 2);
    BOOST_TEST(!p.s.cancel([](int w) { return w == 2; }).has_value()); // gone already
    BOOST_TEST(!p.s.cancel([](int w) { return w == 1; }).has_value()); // granted, not waiting
    BOOST_TEST(p.release(100, true) == 100);
    BOOST_TEST(p.granted_to.back() == 3);
}

BOOST_AUTO_TEST_CASE(max_size_zero_is_one)
{
    mock_pool p(0);
    BOOST_TEST(p.acquire(1) == 100);
    BOOST_TEST(p.acquire(2) == -1);
}

BOOST_AUTO_TEST_CASE(shutdown_closes_idle_and_hands_back_waiters)
{
    mock_pool p(2);
    p.acquire(1);
    p.acquire(2);
    p.acquire(3);
    p.acquire(4);
    p.release(100, true); // goes to waiter 3
    auto [closing, waiters] = p.s.shutdown();
    BOOST_TEST(closing.close.empty());
    BOOST_TEST(waiters.size() == 1u);
    BOOST_TEST(waiters.front() == 4);
    // After shutdown: releases close, nothing is queued.
    BOOST_TEST(p.release(100, true) == -1);
    BOOST_TEST(p.release(101, true) == -1);
    BOOST_TEST(p.s.open() == 0u);
    BOOST_TEST(p.acquire(5) == -1);
    BOOST_TEST(p.s.waiting_count() == 0u);
}

BOOST_AUTO_TEST_CASE(open_never_exceeds_max_size)
{
    // A deterministic churn of acquires and releases: the invariant holds at every step.
    for (std::size_t max : {1u, 2u, 5u}) {
        mock_pool p(max, milliseconds(50));
        std::vector<int> out;
        int waiter = 0;
        for (int step = 0; step < 400; ++step) {
            const auto now = t0 + milliseconds(step * 7);
            if (step % 3 != 2 || out.empty()) {
                const int c = p.acquire(++waiter, step % 11 == 0 ? acquire_kind::fresh : acquire_kind::any, now);
                if (c >= 0)
                    out.push_back(c);
            } else {
                const int c = out.front();
                out.erase(out.begin());
                const int g = p.release(c, step % 5 != 0, now);
                if (g >= 0)
                    out.push_back(g);
            }
            BOOST_TEST_REQUIRE(p.s.open() <= max);
            BOOST_TEST_REQUIRE(p.s.open() == out.size() + p.s.idle());
        }
    }
}

BOOST_AUTO_TEST_CASE(try_acquire_grants_what_is_free_and_never_queues)
{
    mock_pool p(2, milliseconds(1000));
    BOOST_TEST(p.try_acquire() == 100); // a place for a new one
    BOOST_TEST(p.try_acquire() == 101);
    BOOST_TEST(p.try_acquire() == -1); // full: nothing granted, nothing queued
    BOOST_TEST(p.s.waiting_count() == 0u);
    BOOST_TEST(p.s.open() == 2u);
    p.release(100, true, t0);
    p.release(101, true, t0 + milliseconds(10));
    // Most recently used first; an expired one is closed as stale, not handed out.
    BOOST_TEST(p.try_acquire(acquire_kind::any, t0 + milliseconds(20)) == 101);
    BOOST_TEST(p.try_acquire(acquire_kind::any, t0 + milliseconds(1000)) == 102);
    BOOST_TEST(p.closed == std::vector<int>{100}, boost::test_tools::per_element());
    BOOST_TEST(p.stale == 1u);
    BOOST_TEST(p.s.open() == 2u);
}

BOOST_AUTO_TEST_CASE(try_acquire_table)
{
    // Edge states: what the fast path decides, and that it agrees with acquire.
    struct row {
        const char* name;
        std::size_t max;
        int idle;          // connections released reusable before the call
        int out;           // connections held when the call comes
        int waiting;       // waiters queued before the call
        bool shut;
        acquire_kind kind;
        int expected;      // the connection got, -1 for none
        std::size_t closed;
    };
    const row rows[] = {
        {"empty pool", 1, 0, 0, 0, false, acquire_kind::any, 100, 0},
        {"one idle", 1, 1, 0, 0, false, acquire_kind::any, 100, 0},
        {"one idle, fresh wanted", 1, 1, 0, 0, false, acquire_kind::fresh, 101, 1},
        {"all out", 2, 0, 2, 0, false, acquire_kind::any, -1, 0},
        {"all out, fresh wanted", 2, 0, 2, 0, false, acquire_kind::fresh, -1, 0},
        {"waiters first", 1, 0, 1, 1, false, acquire_kind::any, -1, 0},
        {"shut down", 2, 0, 0, 0, true, acquire_kind::any, -1, 0},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.name)
        {
            mock_pool p(r.max);
            for (int i = 0; i < r.idle + r.out; ++i)
                p.acquire(i + 1);
            for (int i = 0; i < r.idle; ++i)
                p.release(100 + i, true);
            for (int i = 0; i < r.waiting; ++i)
                p.acquire(50 + i);
            if (r.shut)
                p.s.shutdown();
            const auto waiting_before = p.s.waiting_count();
            BOOST_TEST(p.try_acquire(r.kind) == r.expected);
            BOOST_TEST(p.closed.size() == r.closed);
            BOOST_TEST(p.s.waiting_count() == waiting_before);
            BOOST_TEST(p.s.open() <= std::max<std::size_t>(r.max, 1));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
