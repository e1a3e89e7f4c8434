// Duplicate suppression: a window, a capacity, and nothing remembered when either is 0.

#include "../../src/webhook_dedup.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using batchwire::detail::webhook_dedup;
using std::chrono::seconds;

namespace {

webhook_dedup::time_point at(long long s) { return webhook_dedup::time_point(seconds(s)); }

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_dedup_tests)

BOOST_AUTO_TEST_CASE(window_table)
{
    struct row {
        const char* id;
        long long now;
        bool first;
    };
    // window 60 s, capacity 3
    const row rows[] = {
        {"a", 0, true},   {"a", 0, false},  {"a", 59, false}, // within the window
        {"a", 60, true},                                       // the window has passed: new again
        {"b", 61, true},  {"c", 62, true},  {"b", 63, false},
        {"d", 64, true},                                       // capacity 3: "a" (oldest) forgotten
        {"a", 65, true},                                       // hence new; "b" is now the oldest, forgotten
        {"c", 66, false}, {"b", 67, true},
    };
    webhook_dedup d(3, seconds(60));
    for (const auto& r : rows)
        BOOST_TEST_CONTEXT("id " << r.id << " at " << r.now) { BOOST_TEST(d.first_seen(r.id, at(r.now)) == r.first); }
    BOOST_TEST(d.size() <= 3u);
}

BOOST_AUTO_TEST_CASE(zero_capacity_or_window_remembers_nothing)
{
    webhook_dedup no_capacity(0, seconds(60));
    BOOST_TEST(no_capacity.first_seen("a", at(0)));
    BOOST_TEST(no_capacity.first_seen("a", at(0)));
    BOOST_TEST(no_capacity.size() == 0u);
    webhook_dedup no_window(10, seconds(0));
    BOOST_TEST(no_window.first_seen("a", at(0)));
    BOOST_TEST(no_window.first_seen("a", at(0)));
    webhook_dedup negative(10, seconds(-5));
    BOOST_TEST(negative.first_seen("a", at(0)));
    BOOST_TEST(negative.first_seen("a", at(0)));
}

BOOST_AUTO_TEST_CASE(capacity_one_and_memory_bound)
{
    webhook_dedup one(1, seconds(3600));
    BOOST_TEST(one.first_seen("a", at(0)));
    BOOST_TEST(!one.first_seen("a", at(1)));
    BOOST_TEST(one.first_seen("b", at(2)));
    BOOST_TEST(one.first_seen("a", at(3)));
    BOOST_TEST(one.size() == 1u);

    // 100,000 distinct ids through a capacity of 1,000: the size never passes it, and the
    // last 1,000 are all remembered.
    webhook_dedup d(1000, seconds(3600));
    for (int i = 0; i < 100'000; ++i)
        BOOST_TEST_REQUIRE(d.first_seen("msg_" + std::to_string(i), at(i / 100)));
    BOOST_TEST(d.size() == 1000u);
    for (int i = 99'000; i < 100'000; ++i)
        BOOST_TEST_REQUIRE(!d.first_seen("msg_" + std::to_string(i), at(1000)));
}

BOOST_AUTO_TEST_CASE(long_and_empty_ids)
{
    webhook_dedup d(10, seconds(60));
    const std::string long_id(10'000, 'x');
    BOOST_TEST(d.first_seen(long_id, at(0)));
    BOOST_TEST(!d.first_seen(long_id, at(1)));
    BOOST_TEST(d.first_seen("", at(0)));
    BOOST_TEST(!d.first_seen("", at(1)));
    // A clock that steps back does not break it.
    BOOST_TEST(d.first_seen("z", at(-100)));
    BOOST_TEST(!d.first_seen("z", at(-99)));
}

BOOST_AUTO_TEST_SUITE_END()
