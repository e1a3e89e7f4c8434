// The request loop's decision after each attempt, as tables of facts -> next action.

#include "../../src/attempt_decision.hpp"
#include "error_printing.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace {

using namespace batchwire;
using namespace batchwire::detail;
using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;
using boost::system::error_code;

const time_point t0 = time_point{} + std::chrono::hours(1000);

retry_options fast_retries()
{
    retry_options o;
    o.initial_backoff = milliseconds(500);
    o.max_backoff = milliseconds(8000);
    o.max_retry_after = milliseconds(60000);
    return o;
}

// A fresh, idempotent attempt with the default budget of 2 retries, no deadline.
attempt_facts base()
{
    attempt_facts f;
    f.max_retries = 2;
    f.now = t0;
    f.jitter = 1.0;
    return f;
}

attempt_facts response(unsigned status, std::string_view type = "", error_code ec = {})
{
    auto f = base();
    f.response_received = true;
    f.request_written = true;
    f.response_started = true;
    f.http_status = status;
    f.api_error_type = type;
    f.ec = ec ? ec : (status / 100 == 2 ? error_code{} : error_code(error_from_status(status)));
    return f;
}

attempt_facts transport(error c, bool written, bool started = false)
{
    auto f = base();
    f.ec = c;
    f.request_written = written;
    f.response_started = started;
    return f;
}

const char* name(attempt_action a)
{
    switch (a) {
    case attempt_action::succeed: return "succeed";
    case attempt_action::resend_fresh: return "resend_fresh";
    case attempt_action::retry_after: return "retry_after";
    case attempt_action::fail: return "fail";
    }
    return "?";
}

struct expected {
    attempt_action action;
    error_code error{};
    long long delay_ms = 0;
    bool may_have_acted = false;
};

void check(const attempt_facts& f, const expected& e, const retry_options& o = fast_retries())
{
    const auto v = decide_attempt(f, o);
    BOOST_TEST(name(v.action) == name(e.action));
    if (e.action == attempt_action::fail) {
        BOOST_TEST(v.error == e.error);
        BOOST_TEST(v.request_may_have_been_processed == e.may_have_acted);
    }
    if (e.action == attempt_action::retry_after)
        BOOST_TEST(v.delay.count() == e.delay_ms);
}

} // namespace

BOOST_AUTO_TEST_SUITE(attempt_decision)

BOOST_AUTO_TEST_CASE(statuses)
{
    struct row {
        unsigned status;
        const char* type;
        attempt_action action;
        error e;
    };
    const row rows[] = {
        {200, "", attempt_action::succeed, {}},
        {201, "", attempt_action::succeed, {}},
        {400, "invalid_request_error", attempt_action::fail, error::bad_request},
        {401, "", attempt_action::fail, error::authentication_failed},
        {404, "", attempt_action::fail, error::not_found},
        {408, "", attempt_action::retry_after, error::http_error},
        {409, "", attempt_action::retry_after, error::conflict},
        {409, "invalid_request_error", attempt_action::retry_after, error::conflict}, // not a cancel
        {422, "", attempt_action::fail, error::unprocessable_entity},
        {429, "", attempt_action::retry_after, error::rate_limited},
        {500, "", attempt_action::retry_after, error::server_error},
        {503, "", attempt_action::retry_after, error::server_error},
        {599, "", attempt_action::retry_after, error::server_error},
        {302, "", attempt_action::fail, error::http_error},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("status " << r.status << " type " << r.type)
        {
            auto f = response(r.status, r.type);
            check(f, {r.action, r.e, 500, false});
        }
    }
}

BOOST_AUTO_TEST_CASE(backoff_grows_then_the_budget_ends)
{
    struct row {
        unsigned retries_done, max_retries;
        double jitter;
        attempt_action action;
        long long delay_ms;
    };
    const row rows[] = {
        {0, 2, 1.0, attempt_action::retry_after, 500},
        {1, 2, 1.0, attempt_action::retry_after, 1000},
        {1, 2, 0.75, attempt_action::retry_after, 750},
        {2, 2, 1.0, attempt_action::fail, 0},
        {0, 0, 1.0, attempt_action::fail, 0},       // no retries at all
        {5, 100, 1.0, attempt_action::retry_after, 8000}, // capped at max_backoff
        {4000000000u, 4294967295u, 1.0, attempt_action::retry_after, 8000},
        {4294967295u, 4294967295u, 1.0, attempt_action::fail, 0},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("retries " << r.retries_done << "/" << r.max_retries << " jitter " << r.jitter)
        {
            auto f = response(503);
            f.retries_done = r.retries_done;
            f.max_retries = r.max_retries;
            f.jitter = r.jitter;
            check(f, {r.action, error::server_error, r.delay_ms, false});
        }
    }
}

BOOST_AUTO_TEST_CASE(server_delay_up_to_the_cap_and_beyond)
{
    struct row {
        long long retry_after_ms; // -1: none
        unsigned status;
        unsigned retries_done;
        attempt_action action;
        error e;
        long long delay_ms;
    };
    const row rows[] = {
        {35, 429, 0, attempt_action::retry_after, error::rate_limited, 35},
        {0, 429, 0, attempt_action::retry_after, error::rate_limited, 500},   // 0: the backoff
        {-1, 429, 0, attempt_action::retry_after, error::rate_limited, 500},
        {60000, 429, 0, attempt_action::retry_after, error::rate_limited, 60000}, // at the cap
        {60001, 429, 0, attempt_action::fail, error::retry_after_too_long, 0},
        {3600000, 429, 0, attempt_action::fail, error::retry_after_too_long, 0},
        {86400000, 503, 0, attempt_action::fail, error::retry_after_too_long, 0},
        {3600000, 429, 2, attempt_action::fail, error::rate_limited, 0}, // out of retries: as it is
        {3600000, 400, 0, attempt_action::fail, error::bad_request, 0},  // not retryable: as it is
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("retry-after " << r.retry_after_ms << " status " << r.status)
        {
            auto f = response(r.status);
            if (r.retry_after_ms >= 0)
                f.retry_after = milliseconds{r.retry_after_ms};
            f.retries_done = r.retries_done;
            check(f, {r.action, r.e, r.delay_ms, false});
        }
    }
}

BOOST_AUTO_TEST_CASE(retry_after_too_long_also_for_a_create)
{
    // A 429 refusal: the server did nothing, so the create may be resent; the wait is too long.
    auto f = response(429);
    f.idempotent = false;
    f.retry_after = milliseconds(3600000);
    check(f, {attempt_action::fail, error::retry_after_too_long, 0, false});
}

BOOST_AUTO_TEST_CASE(conflict_to_a_cancel)
{
    struct row {
        const char* type;
        bool final_refusal;        // the request is a cancel
        int should_retry;          // -1 none, 0 false, 1 true
        unsigned retries_done;
        attempt_action action;
    };
    const row rows[] = {
        {"invalid_request_error", true, -1, 0, attempt_action::fail},        // the batch has ended
        {"invalid_request_error", true, -1, 1, attempt_action::fail},
        {"invalid_request_error", true, 1, 0, attempt_action::retry_after},  // the server says retry
        {"invalid_request_error", true, 0, 0, attempt_action::fail},
        {"", true, -1, 0, attempt_action::retry_after},                      // a lock conflict
        {"conflict_error", true, -1, 0, attempt_action::retry_after},
        {"Invalid_Request_Error", true, -1, 0, attempt_action::retry_after}, // types are exact
        {"invalid_request_error", false, -1, 0, attempt_action::retry_after}, // not a cancel
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("type '" << r.type << "' cancel " << r.final_refusal << " x-should-retry " << r.should_retry)
        {
            auto f = response(409, r.type);
            f.conflict_refusal_is_final = r.final_refusal;
            if (r.should_retry >= 0)
                f.should_retry = r.should_retry == 1;
            f.retries_done = r.retries_done;
            check(f, {r.action, error::conflict, 500 << r.retries_done, false});
        }
    }
}

BOOST_AUTO_TEST_CASE(error_statuses_to_a_request_that_must_not_act_twice)
{
    struct row {
        unsigned status;
        int should_retry; // -1 none, 0 false, 1 true
        attempt_action action;
        error e;
        bool may_have_acted;
    };
    const row rows[] = {
        {500, -1, attempt_action::fail, error::server_error, true}, // may have come after the work
        {503, 0, attempt_action::fail, error::server_error, true},
        {503, 1, attempt_action::retry_after, error::server_error, false}, // the server says it did nothing
        {429, -1, attempt_action::retry_after, error::rate_limited, false}, // a refusal
        {409, -1, attempt_action::fail, error::conflict, false},
        {408, -1, attempt_action::fail, error::http_error, false},
        {400, 1, attempt_action::fail, error::bad_request, false}, // x-should-retry: true retries...
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("status " << r.status << " x-should-retry " << r.should_retry)
        {
            auto f = response(r.status);
            f.idempotent = false;
            if (r.should_retry >= 0)
                f.should_retry = r.should_retry == 1;
            const auto v = decide_attempt(f, fast_retries());
            if (r.status == 400) { // ...whatever the status: the server said so
                BOOST_TEST(name(v.action) == name(attempt_action::retry_after));
                continue;
            }
            check(f, {r.action, r.e, 500, r.may_have_acted});
        }
    }
}

BOOST_AUTO_TEST_CASE(transport_failures)
{
    struct row {
        error e;
        bool reused, written, started, idempotent, fresh_used, delivered;
        attempt_action action;
        error result;
        bool may_have_acted;
    };
    const auto resend = attempt_action::resend_fresh;
    const auto retry = attempt_action::retry_after;
    const auto fail = attempt_action::fail;
    const row rows[] = {
        // A kept-alive connection the server had closed: once on a fresh one, outside the budget.
        {error::connection_lost, true, true, false, true, false, false, resend, {}, false},
        {error::connection_lost, true, false, false, false, false, false, resend, {}, false},
        // ...but not twice, not after a response byte, not for a written create.
        {error::connection_lost, true, true, false, true, true, false, retry, {}, false},
        {error::connection_lost, true, true, true, true, false, false, retry, {}, false},
        {error::connection_lost, true, true, false, false, false, false, fail, error::connection_lost, true},
        // On a fresh connection: the retry budget.
        {error::connection_lost, false, true, false, true, false, false, retry, {}, false},
        {error::connect_failed, false, false, false, false, false, false, retry, {}, false},
        {error::timeout, false, true, false, true, false, false, retry, {}, false},
        {error::tls_handshake_failed, false, false, false, true, false, false, fail, error::tls_handshake_failed, false},
        {error::protocol_error, true, true, true, true, false, false, fail, error::protocol_error, true},
        {error::response_too_large, false, true, true, true, false, false, fail, error::response_too_large, true},
        // Part of a streamed body went to the sink: never resent.
        {error::connection_lost, false, true, true, true, false, true, fail, error::connection_lost, true},
        // A written create: resending could make two batches.
        {error::timeout, false, true, false, false, false, false, fail, error::timeout, true},
        {error::connect_failed, false, false, false, false, false, false, retry, {}, false},
    };
    int i = 0;
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("row " << i++)
        {
            auto f = transport(r.e, r.written, r.started);
            f.reused_connection = r.reused;
            f.idempotent = r.idempotent;
            f.fresh_resend_used = r.fresh_used;
            f.body_delivered = r.delivered;
            check(f, {r.action, r.result, 500, r.may_have_acted});
        }
    }
}

BOOST_AUTO_TEST_CASE(deadline)
{
    struct row {
        long long deadline_from_now_ms;
        error e;
        attempt_action action;
        error result;
    };
    const row rows[] = {
        {10000, error::timeout, attempt_action::retry_after, {}},
        {501, error::timeout, attempt_action::retry_after, {}},
        {500, error::timeout, attempt_action::fail, error::deadline_exceeded}, // no time for the wait
        {1, error::connection_lost, attempt_action::fail, error::deadline_exceeded},
        {0, error::timeout, attempt_action::fail, error::deadline_exceeded},   // the attempt hit it
        {-5000, error::timeout, attempt_action::fail, error::deadline_exceeded},
        {-5000, error::connect_failed, attempt_action::fail, error::deadline_exceeded},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("deadline in " << r.deadline_from_now_ms << " ms")
        {
            auto f = transport(r.e, true);
            f.deadline = t0 + milliseconds{r.deadline_from_now_ms};
            check(f, {r.action, r.result, 500, true});
            const auto v = decide_attempt(f, fast_retries());
            if (r.action == attempt_action::fail)
                BOOST_TEST((v.note == (r.deadline_from_now_ms <= 0 && r.e == error::timeout
                                           ? failure_note::deadline_passed
                                           : failure_note::no_time_for_retry)));
        }
    }
    // No deadline at all (time_point::max()) never overflows.
    auto f = transport(error::timeout, true);
    BOOST_TEST((f.deadline == time_point::max()));
    check(f, {attempt_action::retry_after, {}, 500, false});
    f.retry_after = milliseconds(60000);
    f.http_status = 503;
    f.response_received = true;
    f.ec = error::server_error;
    check(f, {attempt_action::retry_after, {}, 60000, false});
}

BOOST_AUTO_TEST_CASE(cancellation_wins_at_every_step)
{
    struct row {
        bool written, response;
    };
    const row rows[] = {{false, false}, {true, false}, {true, true}};
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("written " << r.written << " response " << r.response)
        {
            auto f = r.response ? response(200) : transport(error::cancelled, r.written);
            f.request_written = r.written;
            f.cancelled = true;
            const auto v = decide_attempt(f, fast_retries());
            BOOST_TEST(name(v.action) == name(attempt_action::fail));
            BOOST_TEST(v.error == error::cancelled);
            BOOST_TEST(v.request_may_have_been_processed == r.written);
            BOOST_TEST((v.note == failure_note::cancelled));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
