// When a watch polls next: the server's hint within its floor and cap, backoff with
// jitter, and the earliest deadline.

#include "../../src/poll_schedule.hpp"
#include "../../src/response_metadata.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <limits>
#include <optional>
#include <string>

namespace {

using namespace batchwire;
using namespace batchwire::detail;
using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;

const time_point t0 = time_point{} + std::chrono::hours(1000);

watch_options defaults() { return watch_options{}; }

// The hint as the poll loop receives it: read from a response header.
std::optional<milliseconds> hint_from_header(const std::string& value)
{
    boost::beast::http::fields h;
    h.set("openai-poll-after-ms", value);
    response_metadata meta;
    read_response_metadata(h, meta);
    return meta.poll_after;
}

} // namespace

BOOST_AUTO_TEST_SUITE(poll_schedule)

BOOST_AUTO_TEST_CASE(server_hint_is_clamped_to_floor_and_cap)
{
    const auto o = defaults(); // floor 100 ms, cap 30 s
    struct row {
        long long hint_ms;
        long long expected_ms;
    };
    const row rows[] = {
        {0, 100},
        {1, 100},
        {99, 100},
        {100, 100},
        {101, 101},
        {5000, 5000},
        {30000, 30000},
        {30001, 30000},
        {std::numeric_limits<long long>::max(), 30000},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("hint " << r.hint_ms)
        {
            BOOST_TEST(clamp_server_hint(milliseconds{r.hint_ms}, o).count() == r.expected_ms);
            poll_facts f;
            f.previous_interval = milliseconds(1000);
            f.server_hint = milliseconds{r.hint_ms};
            f.now = t0;
            const auto p = plan_next_poll(f, o);
            BOOST_TEST(p.interval.count() == r.expected_ms);
            BOOST_TEST((p.next_poll == t0 + milliseconds{r.expected_ms}));
            BOOST_TEST((p.wake_at == p.next_poll));
        }
    }
}

BOOST_AUTO_TEST_CASE(hints_from_headers)
{
    // What the header parser hands the schedule: negative and non-numeric hints are no hint.
    const auto o = defaults();
    struct row {
        const char* header;
        long long expected_ms; // -1: no hint, the backoff decides (1000 * 1.5 at jitter 1)
    };
    const row rows[] = {
        {"0", 100},   {"1", 100},     {" 250 ", 250},           {"-5", -1},  {"abc", -1},
        {"", -1},     {"12.6", 100},  {"1e3", 1000},            {"nan", -1}, {"inf", -1},
        {"99999999999999999999999", -1}, {"9000000000000000000", 30000},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("header '" << r.header << "'")
        {
            const auto hint = hint_from_header(r.header);
            BOOST_TEST(hint.has_value() == (r.expected_ms >= 0));
            poll_facts f;
            f.previous_interval = milliseconds(1000);
            f.server_hint = hint;
            f.now = t0;
            const auto p = plan_next_poll(f, o);
            BOOST_TEST(p.interval.count() == (r.expected_ms >= 0 ? r.expected_ms : 1500));
        }
    }
}

BOOST_AUTO_TEST_CASE(negative_hint_given_directly_is_ignored)
{
    poll_facts f;
    f.previous_interval = milliseconds(2000);
    f.server_hint = milliseconds(-1);
    f.now = t0;
    BOOST_TEST(plan_next_poll(f, defaults()).interval.count() == 3000);
}

BOOST_AUTO_TEST_CASE(floor_and_cap_options_at_their_edges)
{
    struct row {
        long long floor_ms, cap_ms, hint_ms, expected_ms;
    };
    const row rows[] = {
        {0, 30000, 0, 1},        // a floor of 0 is still 1 ms
        {-5, 30000, 0, 1},       // so is a negative one
        {500, 200, 0, 200},      // a floor above the cap is lowered to it
        {500, 200, 10000, 200},
        {100, 0, 50, 1},         // a cap of 0 is 1 ms
        {100, -1, 50, 1},
        {1, 1, 0, 1},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("floor " << r.floor_ms << " cap " << r.cap_ms << " hint " << r.hint_ms)
        {
            watch_options o;
            o.min_server_hint = milliseconds{r.floor_ms};
            o.max_server_hint = milliseconds{r.cap_ms};
            BOOST_TEST(clamp_server_hint(milliseconds{r.hint_ms}, o).count() == r.expected_ms);
        }
    }
}

BOOST_AUTO_TEST_CASE(hint_of_a_failed_poll_is_not_used)
{
    poll_facts f;
    f.previous_interval = milliseconds(1000);
    f.outcome = poll_outcome::failed;
    f.server_hint = milliseconds(0);
    f.now = t0;
    BOOST_TEST(plan_next_poll(f, defaults()).interval.count() == 1500);
}

BOOST_AUTO_TEST_CASE(backoff_with_jitter)
{
    struct row {
        long long previous_ms;
        poll_outcome outcome;
        double jitter;
        long long expected_ms;
    };
    const row rows[] = {
        {1000, poll_outcome::changed, 1.0, 1000},    // a change starts over
        {20000, poll_outcome::changed, 0.8, 1000},
        {1000, poll_outcome::unchanged, 1.0, 1500},
        {1000, poll_outcome::unchanged, 0.8, 1200},
        {1000, poll_outcome::failed, 1.0, 1500},
        {1000, poll_outcome::unchanged, 0.5, 1125},  // jitter below its range counts as 0.75
        {1000, poll_outcome::unchanged, 7.0, 1500},  // above it as 1
        {1000, poll_outcome::unchanged, std::numeric_limits<double>::quiet_NaN(), 1125},
        {0, poll_outcome::unchanged, 1.0, 1000},     // never below initial_interval
        {-100, poll_outcome::unchanged, 1.0, 1000},
        {25000, poll_outcome::unchanged, 1.0, 30000}, // never above max_interval
        {std::numeric_limits<long long>::max(), poll_outcome::unchanged, 1.0, 30000},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("previous " << r.previous_ms << " jitter " << r.jitter)
        {
            BOOST_TEST(backoff_interval(milliseconds{r.previous_ms}, r.outcome, r.jitter, defaults()).count() ==
                       r.expected_ms);
        }
    }
}

BOOST_AUTO_TEST_CASE(backoff_factor_and_intervals_at_their_edges)
{
    struct row {
        double factor;
        long long initial_ms, max_ms, previous_ms, expected_ms;
    };
    const double inf = std::numeric_limits<double>::infinity();
    const row rows[] = {
        {0.0, 1000, 30000, 4000, 4000},    // a factor below 1 never shrinks the interval
        {-2.0, 1000, 30000, 4000, 4000},
        {std::numeric_limits<double>::quiet_NaN(), 1000, 30000, 4000, 4000},
        {inf, 1000, 30000, 4000, 30000},
        {1e300, 1000, 30000, 4000, 30000},
        {2.0, 0, 0, 0, 1},                 // zero intervals are 1 ms: never a tight loop
        {2.0, -5, -5, 0, 1},
        {2.0, 5000, 100, 5000, 5000},      // max below initial: initial wins
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("factor " << r.factor << " initial " << r.initial_ms << " max " << r.max_ms)
        {
            watch_options o;
            o.backoff_factor = r.factor;
            o.initial_interval = milliseconds{r.initial_ms};
            o.max_interval = milliseconds{r.max_ms};
            BOOST_TEST(backoff_interval(milliseconds{r.previous_ms}, poll_outcome::unchanged, 1.0, o).count() ==
                       r.expected_ms);
        }
    }
}

BOOST_AUTO_TEST_CASE(deadline_bounds_the_wake_up)
{
    poll_facts f;
    f.previous_interval = milliseconds(1000);
    f.now = t0;
    f.deadline = t0 + milliseconds(200); // before the next poll
    auto p = plan_next_poll(f, defaults());
    BOOST_TEST((p.next_poll == t0 + milliseconds(1500)));
    BOOST_TEST((p.wake_at == t0 + milliseconds(200)));

    f.deadline = t0 - std::chrono::hours(1); // already passed: wake at once
    p = plan_next_poll(f, defaults());
    BOOST_TEST((p.wake_at == *f.deadline));
    BOOST_TEST((p.wake_at <= t0));

    f.deadline = t0 + std::chrono::hours(1); // after it: the poll comes first
    p = plan_next_poll(f, defaults());
    BOOST_TEST((p.wake_at == p.next_poll));
}

BOOST_AUTO_TEST_CASE(huge_intervals_do_not_overflow_the_clock)
{
    watch_options o;
    o.initial_interval = o.max_interval = milliseconds::max();
    poll_facts f;
    f.previous_interval = milliseconds::max();
    f.now = t0;
    const auto p = plan_next_poll(f, o);
    BOOST_TEST((p.next_poll == time_point::max()));
    BOOST_TEST((p.next_poll > t0));
}

BOOST_AUTO_TEST_CASE(woken_by_events_polls_at_the_fallback_interval)
{
    // Fallback 300 s; backoff 1..30 s; hints within [100 ms, 30 s] unless stated.
    watch_options o;
    o.woken_by_events = true;
    o.fallback_interval = milliseconds(300000);
    struct row {
        long long previous_ms;
        poll_outcome outcome;
        std::optional<long long> hint_ms;
        long long max_hint_ms;
        long long fallback_ms;
        long long expected_ms;
    };
    using po = poll_outcome;
    const row rows[] = {
        // Flat: no backoff from initial_interval, whatever came before.
        {0, po::unchanged, std::nullopt, 30000, 300000, 300000},
        {1000, po::changed, std::nullopt, 30000, 300000, 300000},
        {300000, po::unchanged, std::nullopt, 30000, 300000, 300000},
        // A hint never shortens the fallback...
        {300000, po::unchanged, 0, 30000, 300000, 300000},
        {300000, po::unchanged, 30000, 30000, 300000, 300000},
        // ...but lengthens it, within its cap.
        {300000, po::unchanged, 500000, 600000, 300000, 500000},
        {300000, po::unchanged, 900000, 600000, 300000, 600000},
        {100, po::changed, 250, 30000, 100, 250},
        {100, po::changed, 50, 30000, 100, 100},  // the floor (100) is not above the fallback
        {300000, po::unchanged, -1, 600000, 300000, 300000}, // a negative hint is ignored
        // A failed poll: the backoff, never above the fallback; its hint is not used.
        {300000, po::failed, std::nullopt, 30000, 300000, 30000},
        {1000, po::failed, 500000, 600000, 300000, 1500},
        {1000, po::failed, std::nullopt, 30000, 1200, 1200},
        {1000, po::failed, std::nullopt, 30000, 500, 500},
        // The fallback is at least 1 ms.
        {0, po::unchanged, std::nullopt, 30000, 0, 1},
        {0, po::unchanged, std::nullopt, 30000, -5, 1},
        {0, po::failed, std::nullopt, 30000, 0, 1},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("previous " << r.previous_ms << ", outcome " << static_cast<int>(r.outcome) << ", hint "
                                       << r.hint_ms.value_or(-999) << ", cap " << r.max_hint_ms << ", fallback "
                                       << r.fallback_ms)
        {
            o.max_server_hint = milliseconds(r.max_hint_ms);
            o.fallback_interval = milliseconds(r.fallback_ms);
            poll_facts f;
            f.previous_interval = milliseconds(r.previous_ms);
            f.outcome = r.outcome;
            if (r.hint_ms)
                f.server_hint = milliseconds(*r.hint_ms);
            f.now = t0;
            const auto p = plan_next_poll(f, o);
            BOOST_TEST(p.interval.count() == r.expected_ms);
            BOOST_TEST((p.next_poll == t0 + milliseconds(r.expected_ms)));
        }
    }
}

BOOST_AUTO_TEST_CASE(huge_fallback_does_not_overflow_the_clock)
{
    watch_options o;
    o.woken_by_events = true;
    o.fallback_interval = milliseconds::max();
    poll_facts f;
    f.now = t0;
    const auto p = plan_next_poll(f, o);
    BOOST_TEST((p.next_poll == time_point::max()));
    BOOST_TEST((time_after(t0, milliseconds::max()) == time_point::max()));
    BOOST_TEST((time_after(t0, milliseconds(5)) == t0 + milliseconds(5)));
}

BOOST_AUTO_TEST_CASE(a_shared_loop_takes_the_shortest_interval_any_watcher_asks_for)
{
    watch_options polling; // 1 s growing to 30 s
    watch_options woken;
    woken.woken_by_events = true; // 5 min
    watch_options quick_fallback = woken;
    quick_fallback.fallback_interval = milliseconds(200);
    poll_facts f;
    f.now = t0;
    f.previous_interval = milliseconds(20000);
    const auto a = plan_next_poll(f, polling);
    const auto b = plan_next_poll(f, woken);
    BOOST_TEST(a.interval.count() == 30000);
    BOOST_TEST(b.interval.count() == 300000);
    BOOST_TEST(earlier_plan(a, b).interval.count() == 30000);
    BOOST_TEST(earlier_plan(b, a).interval.count() == 30000);
    const auto c = plan_next_poll(f, quick_fallback);
    BOOST_TEST(earlier_plan(earlier_plan(a, b), c).interval.count() == 200);
    BOOST_TEST(earlier_plan(a, a).interval.count() == 30000); // a tie keeps the first

    // Joining a sleeping loop: what the newcomer waits after the loop's last poll.
    BOOST_TEST(joining_interval(polling).count() == 1000);
    BOOST_TEST(joining_interval(woken).count() == 300000);
    BOOST_TEST(joining_interval(quick_fallback).count() == 200);
    quick_fallback.fallback_interval = milliseconds(0);
    BOOST_TEST(joining_interval(quick_fallback).count() == 1);
    polling.initial_interval = milliseconds(-3);
    BOOST_TEST(joining_interval(polling).count() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
