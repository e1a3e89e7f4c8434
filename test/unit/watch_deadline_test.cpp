// A watch's derived deadline: the cancelling window from cancelling_at, else expires_at,
// else a day; the server's seconds scaled to local ones; plus grace.

#include "../../src/watch_deadline.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>

using namespace batchwire;
using namespace batchwire::detail;
using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;

namespace {

const time_point local0 = time_point{} + std::chrono::hours(1000);

} // namespace

BOOST_AUTO_TEST_SUITE(watch_deadline)

BOOST_AUTO_TEST_CASE(derived_from_status_timestamps_scale_and_grace)
{
    struct row {
        const char* what;
        batch_status status;
        std::optional<long long> cancelling_at, expires_at;
        long long server_now;
        double scale;
        long long grace_ms;
        long long expected_ms; // after local0
    };
    const row rows[] = {
        {"cancelling: window from cancelling_at", batch_status::cancelling, 1000, 99999, 1000, 1.0, 0, 600'000},
        {"cancelling: began 100 s ago", batch_status::cancelling, 900, std::nullopt, 1000, 1.0, 0, 500'000},
        {"cancelling: no cancelling_at, from now", batch_status::cancelling, std::nullopt, 5000, 1000, 1.0, 0, 600'000},
        {"cancelling: window long past", batch_status::cancelling, 0, std::nullopt, 1000, 1.0, 0, -400'000},
        {"in_progress: until expires_at", batch_status::in_progress, 500, 4600, 1000, 1.0, 0, 3'600'000},
        {"validating: no expires_at, a day", batch_status::validating, std::nullopt, std::nullopt, 1000, 1.0, 0,
         86'400'000},
        {"grace added", batch_status::in_progress, std::nullopt, 1010, 1000, 1.0, 60'000, 70'000},
        {"scaled emulator: 100 server s a local s", batch_status::in_progress, std::nullopt, 2000, 1000, 100.0, 0,
         10'000},
        {"scale 0 taken as 1", batch_status::in_progress, std::nullopt, 1010, 1000, 0.0, 0, 10'000},
        {"negative scale taken as 1", batch_status::in_progress, std::nullopt, 1010, 1000, -5.0, 0, 10'000},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.what)
        {
            batch b;
            b.status = r.status;
            b.cancelling_at = r.cancelling_at;
            b.expires_at = r.expires_at;
            const deadline_rule rule{std::chrono::seconds(600), milliseconds(r.grace_ms), r.scale};
            const auto d = derive_deadline(b, r.server_now, rule, local0);
            BOOST_TEST(std::chrono::duration_cast<milliseconds>(d - local0).count() == r.expected_ms);
        }
    }
}

BOOST_AUTO_TEST_CASE(rule_taken_from_watch_options)
{
    watch_options o;
    o.cancelling_window = std::chrono::seconds(42);
    o.grace = milliseconds(7);
    o.server_time_scale = 3.0;
    const auto r = deadline_rule_of(o);
    BOOST_TEST(r.cancelling_window.count() == 42);
    BOOST_TEST(r.grace.count() == 7);
    BOOST_TEST(r.server_time_scale == 3.0);
}

BOOST_AUTO_TEST_SUITE_END()
