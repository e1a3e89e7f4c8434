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

BOOST_AUTO_TEST_SUITE_END()
