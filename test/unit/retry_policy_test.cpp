// The retry policy against the official SDKs' retry rules.

#include "../../src/retry_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <algorithm>
#include <climits>
#include <cmath>
#include <iterator>
#include <optional>

namespace {

using namespace batchwire;
using namespace batchwire::detail;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

// -1 for nullopt: keeps BOOST_TEST's messages readable without printing optionals.
long long ms_of(const std::optional<milliseconds>& d)
{
    return d ? d->count() : -1;
}

// 1994-11-06 08:49:30 UTC, seven seconds before the RFC's example date.
std::chrono::system_clock::time_point example_now()
{
    using namespace std::chrono;
    return sys_days{1994y / November / 6} + 8h + 49min + 30s;
}

struct response_failure {
    boost::system::error_code ec;
    diagnostics diag;
};

response_failure status_failure(unsigned status, std::string code = {})
{
    response_failure f;
    f.diag.http_status = status;
    f.diag.code = std::move(code);
    f.ec = error_from_status(status, f.diag.code);
    return f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(retry_policy)

BOOST_AUTO_TEST_CASE(retry_after_ms_is_float_milliseconds)
{
    BOOST_TEST(ms_of(parse_retry_after("1500", "", {})) == 1500);
    BOOST_TEST(ms_of(parse_retry_after("250.5", "", {})) == 251); // rounded up
    BOOST_TEST(ms_of(parse_retry_after("0.2", "", {})) == 1);     // a positive request stays positive
    BOOST_TEST(ms_of(parse_retry_after("0", "", {})) == 0);
    BOOST_TEST(ms_of(parse_retry_after(" 42 ", "", {})) == 42);
}

BOOST_AUTO_TEST_CASE(retry_after_ms_is_preferred_to_retry_after)
{
    BOOST_TEST(ms_of(parse_retry_after("100", "30", {})) == 100);
    BOOST_TEST(ms_of(parse_retry_after("100", "Sun, 06 Nov 1994 08:49:37 GMT", example_now())) == 100);
}

BOOST_AUTO_TEST_CASE(unusable_retry_after_ms_falls_back_to_retry_after)
{
    BOOST_TEST(ms_of(parse_retry_after("soon", "3", {})) == 3000);
    BOOST_TEST(ms_of(parse_retry_after("-5", "3", {})) == 3000);
    BOOST_TEST(ms_of(parse_retry_after("nan", "3", {})) == 3000);
}

BOOST_AUTO_TEST_CASE(retry_after_is_float_seconds)
{
    BOOST_TEST(ms_of(parse_retry_after("", "2", {})) == 2000);
    BOOST_TEST(ms_of(parse_retry_after("", "1.5", {})) == 1500);
    BOOST_TEST(ms_of(parse_retry_after("", "0", {})) == 0);
    BOOST_TEST(ms_of(parse_retry_after("", "120", {})) == 120000);
}

BOOST_AUTO_TEST_CASE(retry_after_http_date_forms)
{
    const auto now = example_now();
    BOOST_TEST(ms_of(parse_retry_after("", "Sun, 06 Nov 1994 08:49:37 GMT", now)) == 7000);  // IMF-fixdate
    BOOST_TEST(ms_of(parse_retry_after("", "Sunday, 06-Nov-94 08:49:37 GMT", now)) == 7000); // RFC 850
    BOOST_TEST(ms_of(parse_retry_after("", "Sun Nov  6 08:49:37 1994", now)) == 7000);       // asctime
    BOOST_TEST(ms_of(parse_retry_after("", "Mon, 07 Nov 1994 08:49:30 GMT", now)) == 86400000);
    // A fraction of a second of `now` is not lost, and the wait is rounded up to it.
    BOOST_TEST(ms_of(parse_retry_after("", "Sun, 06 Nov 1994 08:49:37 GMT", now + 250ms)) == 6750);
}

BOOST_AUTO_TEST_CASE(retry_after_date_in_the_past_is_zero)
{
    const auto now = example_now();
    BOOST_TEST(ms_of(parse_retry_after("", "Sun, 06 Nov 1994 08:49:00 GMT", now)) == 0);
    BOOST_TEST(ms_of(parse_retry_after("", "Thu, 01 Jan 1970 00:00:00 GMT", now)) == 0);
    BOOST_TEST(ms_of(parse_retry_after("", "Sun, 06 Nov 1994 08:49:30 GMT", now)) == 0);
}

BOOST_AUTO_TEST_CASE(retry_after_garbage_is_ignored)
{
    const auto now = example_now();
    for (const char* text : {"", "soon", "-1", "nan", "inf", "-inf", "1,5", "0x10", "+3", "3 s",
                             "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT",
                             "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                             "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun, 6 Nov 1994 08:49:37 GMT",
                             "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994", "Sun,"}) {
        BOOST_TEST_CONTEXT("retry-after: " << text)
        {
            BOOST_TEST(ms_of(parse_retry_after("", text, now)) == -1);
            BOOST_TEST(ms_of(parse_retry_after(text, "", now)) == -1);
        }
    }
}

BOOST_AUTO_TEST_CASE(huge_retry_after_is_clamped_to_a_day)
{
    constexpr long long day = 86400000;
    BOOST_TEST(ms_of(parse_retry_after("1e300", "", {})) == day);
    BOOST_TEST(ms_of(parse_retry_after("", "1e300", {})) == day);
    BOOST_TEST(ms_of(parse_retry_after("", "99999999999999999999999999", {})) == day);
    BOOST_TEST(ms_of(parse_retry_after("1e400", "", {})) == -1); // out of range for a double
    BOOST_TEST(ms_of(parse_retry_after("", "Fri, 31 Dec 9999 23:59:59 GMT", example_now())) == day);
    // Against the largest system_clock time the arithmetic stays in range.
    BOOST_TEST(ms_of(parse_retry_after("", "Sun, 06 Nov 1994 08:49:37 GMT",
                                       std::chrono::system_clock::time_point::max())) == 0);
    BOOST_TEST(ms_of(parse_retry_after("", "Fri, 31 Dec 9999 23:59:59 GMT",
                                       std::chrono::system_clock::time_point::min())) == day);
}

BOOST_AUTO_TEST_CASE(should_retry_header)
{
    BOOST_TEST((parse_should_retry("true") == std::optional<bool>{true}));
    BOOST_TEST((parse_should_retry("false") == std::optional<bool>{false}));
    BOOST_TEST((parse_should_retry(" true ") == std::optional<bool>{true}));
    BOOST_TEST(!parse_should_retry("").has_value());
    BOOST_TEST(!parse_should_retry("1").has_value());
    BOOST_TEST(!parse_should_retry("yes").has_value());
}

BOOST_AUTO_TEST_CASE(two_retries_by_default)
{
    const retry_options opts;
    BOOST_TEST(opts.max_retries == 2u);
    const auto f = status_failure(500);
    BOOST_TEST(decide_retry(f.ec, f.diag, 0, opts.max_retries, opts, 1.0).retry);
    BOOST_TEST(decide_retry(f.ec, f.diag, 1, opts.max_retries, opts, 1.0).retry);
    BOOST_TEST(!decide_retry(f.ec, f.diag, 2, opts.max_retries, opts, 1.0).retry);
    BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 0, opts, 1.0).retry);
}

BOOST_AUTO_TEST_CASE(retried_statuses)
{
    const retry_options opts;
    for (unsigned status : {408u, 409u, 429u, 500u, 502u, 503u, 504u, 599u}) {
        BOOST_TEST_CONTEXT("status " << status)
        {
            const auto f = status_failure(status);
            const auto d = decide_retry(f.ec, f.diag, 0, 2, opts, 1.0);
            BOOST_TEST(d.retry);
            BOOST_TEST(d.delay.count() == 500);
            BOOST_TEST(!d.retry_after_over_cap);
        }
    }
}

BOOST_AUTO_TEST_CASE(statuses_not_retried)
{
    const retry_options opts;
    for (unsigned status : {400u, 401u, 403u, 404u, 422u, 418u}) {
        BOOST_TEST_CONTEXT("status " << status)
        {
            const auto f = status_failure(status);
            BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
        }
    }
}

BOOST_AUTO_TEST_CASE(should_retry_overrides_status)
{
    const retry_options opts;
    auto f = status_failure(400);
    f.diag.should_retry = true;
    BOOST_TEST(decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
    f = status_failure(503);
    f.diag.should_retry = false;
    BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
    f = status_failure(429);
    f.diag.should_retry = false;
    BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
    // ... but not the retry budget.
    f = status_failure(400);
    f.diag.should_retry = true;
    BOOST_TEST(!decide_retry(f.ec, f.diag, 2, 2, opts, 1.0).retry);
}

BOOST_AUTO_TEST_CASE(insufficient_quota_is_never_retried)
{
    const retry_options opts;
    auto f = status_failure(429, "insufficient_quota");
    BOOST_TEST(f.ec == make_error_code(error::insufficient_quota));
    BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
    f.diag.should_retry = true;
    BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
    f.diag.retry_after = 1000ms;
    BOOST_TEST(!decide_retry(f.ec, f.diag, 0, 2, opts, 1.0).retry);
}

BOOST_AUTO_TEST_CASE(transport_errors)
{
    const retry_options opts;
    const diagnostics none;
    for (error e : {error::connect_failed, error::connection_lost, error::timeout})
        BOOST_TEST(decide_retry(e, none, 0, 2, opts, 1.0).retry);
    for (error e : {error::cancelled, error::deadline_exceeded, error::tls_handshake_failed, error::invalid_argument,
                    error::parse_error})
        BOOST_TEST(!decide_retry(e, none, 0, 2, opts, 1.0).retry);
    BOOST_TEST(!decide_retry(boost::system::error_code{}, none, 0, 2, opts, 1.0).retry);
}

BOOST_AUTO_TEST_CASE(server_delay_is_used_within_the_cap)
{
    const retry_options opts;
    auto f = status_failure(429);
    f.diag.retry_after = 3000ms;
    auto d = decide_retry(f.ec, f.diag, 0, 2, opts, 0.8);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.delay.count() == 3000); // jitter applies to the computed backoff only
    f.diag.retry_after = 60000ms;        // exactly the cap
    d = decide_retry(f.ec, f.diag, 1, 2, opts, 1.0);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.delay.count() == 60000);
}

BOOST_AUTO_TEST_CASE(zero_server_delay_falls_back_to_backoff)
{
    const retry_options opts;
    auto f = status_failure(503);
    f.diag.retry_after = 0ms;
    auto d = decide_retry(f.ec, f.diag, 1, 2, opts, 1.0);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.delay.count() == 1000);
    f.diag.retry_after = -5ms;
    d = decide_retry(f.ec, f.diag, 0, 2, opts, 1.0);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.delay.count() == 500);
}

BOOST_AUTO_TEST_CASE(server_delay_over_the_cap_is_not_retried)
{
    retry_options opts;
    auto f = status_failure(429);
    f.diag.retry_after = 60001ms;
    auto d = decide_retry(f.ec, f.diag, 0, 2, opts, 1.0);
    BOOST_TEST(!d.retry);
    BOOST_TEST(d.retry_after_over_cap);

    opts.max_retry_after = 120000ms; // configurable (python's cap)
    d = decide_retry(f.ec, f.diag, 0, 2, opts, 1.0);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.delay.count() == 60001);

    // With no retries left, or not retryable, the flag stays off: the error is the original one.
    opts = retry_options{};
    d = decide_retry(f.ec, f.diag, 2, 2, opts, 1.0);
    BOOST_TEST(!d.retry);
    BOOST_TEST(!d.retry_after_over_cap);
    f = status_failure(400);
    f.diag.retry_after = 600000ms;
    d = decide_retry(f.ec, f.diag, 0, 2, opts, 1.0);
    BOOST_TEST(!d.retry_after_over_cap);
}

BOOST_AUTO_TEST_CASE(backoff_table_at_full_jitter)
{
    const retry_options opts;
    const long long expected[] = {500, 1000, 2000, 4000, 8000, 8000, 8000};
    for (unsigned n = 0; n < std::size(expected); ++n)
        BOOST_TEST(backoff_delay(n, opts, 1.0).count() == expected[n]);
    BOOST_TEST(backoff_delay(63, opts, 1.0).count() == 8000);
    BOOST_TEST(backoff_delay(64, opts, 1.0).count() == 8000);
    BOOST_TEST(backoff_delay(UINT_MAX, opts, 1.0).count() == 8000);
}

BOOST_AUTO_TEST_CASE(backoff_table_at_lowest_jitter)
{
    const retry_options opts;
    const double jitter = 0.75 + 1e-9;
    const long long expected[] = {375, 750, 1500, 3000, 6000, 6000};
    for (unsigned n = 0; n < std::size(expected); ++n)
        BOOST_TEST(backoff_delay(n, opts, jitter).count() == expected[n]);
}

BOOST_AUTO_TEST_CASE(backoff_follows_the_options)
{
    retry_options opts;
    opts.initial_backoff = 100ms;
    opts.max_backoff = 1000ms;
    BOOST_TEST(backoff_delay(0, opts, 1.0).count() == 100);
    BOOST_TEST(backoff_delay(3, opts, 1.0).count() == 800);
    BOOST_TEST(backoff_delay(4, opts, 1.0).count() == 1000);
    // A jitter outside (0.75, 1] is clamped rather than trusted.
    BOOST_TEST(backoff_delay(0, opts, 5.0).count() == 100);
    BOOST_TEST(backoff_delay(0, opts, 0.0).count() == 75);
    BOOST_TEST(backoff_delay(0, opts, std::nan("")).count() == 75);
    opts.initial_backoff = -100ms;
    BOOST_TEST(backoff_delay(3, opts, 1.0).count() == 0);
}

BOOST_AUTO_TEST_CASE(decide_retry_applies_jitter_to_backoff)
{
    const retry_options opts;
    const auto f = status_failure(502);
    BOOST_TEST(decide_retry(f.ec, f.diag, 1, 2, opts, 0.8).delay.count() == 800);
}

BOOST_AUTO_TEST_CASE(jitter_is_within_range)
{
    double lowest = 1.0;
    double highest = 0.0;
    double sum = 0.0;
    constexpr int draws = 100000;
    for (int i = 0; i < draws; ++i) {
        const double j = draw_jitter();
        if (!(j > 0.75 && j <= 1.0)) {
            BOOST_TEST(j > 0.75);
            BOOST_TEST(j <= 1.0);
            break;
        }
        lowest = std::min(lowest, j);
        highest = std::max(highest, j);
        sum += j;
    }
    // Spread over the whole range, not stuck at a value.
    BOOST_TEST(lowest < 0.76);
    BOOST_TEST(highest > 0.99);
    BOOST_TEST(sum / draws > 0.87);
    BOOST_TEST(sum / draws < 0.88);
}

BOOST_AUTO_TEST_SUITE_END()
