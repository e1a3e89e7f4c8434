#include "attempt_decision.hpp"

namespace batchwire::detail {

namespace {

using boost::system::error_code;

attempt_verdict fail(error_code ec, bool may_have_acted, failure_note note = failure_note::as_is)
{
    attempt_verdict v;
    v.action = attempt_action::fail;
    v.error = ec;
    v.request_may_have_been_processed = may_have_acted;
    v.note = note;
    return v;
}

// A transport failure: the answer is the retry policy's unless resending could act twice
// or could repeat bytes already delivered. nullopt: ask the retry policy.
std::optional<attempt_verdict> after_transport_failure(const attempt_facts& f)
{
    if (f.ec == error::timeout && f.now >= f.deadline)
        return fail(error::deadline_exceeded, f.request_written, failure_note::deadline_passed);
    // The server closed a kept-alive connection under us: once, on a fresh connection,
    // without counting as a retry.
    if (f.reused_connection && !f.response_started && !f.fresh_resend_used && f.ec == error::connection_lost &&
        (f.idempotent || !f.request_written)) {
        attempt_verdict v;
        v.action = attempt_action::resend_fresh;
        return v;
    }
    if (f.request_written && !f.idempotent)
        return fail(f.ec, true); // resending could act twice
    if (f.body_delivered)
        return fail(f.ec, f.request_written); // part of the body was delivered already
    return std::nullopt;
}

// An error status. An error status does not say the request was not acted on: a request
// that may not be sent twice is resent only when the server says it did nothing:
// x-should-retry: true, or a 429 rate-limit refusal. A 5xx may have come after the work.
std::optional<attempt_verdict> after_error_status(const attempt_facts& f)
{
    const bool server_says_retry = f.should_retry.value_or(false);
    if (!f.idempotent && !server_says_retry && f.ec != error::rate_limited)
        return fail(f.ec, f.http_status >= 500);
    // A 409 invalid_request_error to a cancel is "this batch has ended", final: retrying
    // spends the budget on the same answer. Other 409s are lock conflicts, retried.
    if (f.conflict_refusal_is_final && f.ec == error::conflict && f.api_error_type == "invalid_request_error" &&
        !server_says_retry)
        return fail(f.ec, false);
    return std::nullopt;
}

} // namespace

attempt_verdict decide_attempt(const attempt_facts& f, const retry_options& opts)
{
    if (f.cancelled)
        return fail(error::cancelled, f.request_written, failure_note::cancelled);
    if (f.response_received && !f.ec) {
        attempt_verdict v;
        v.action = attempt_action::succeed;
        return v;
    }
    const auto early = f.response_received ? after_error_status(f) : after_transport_failure(f);
    if (early)
        return *early;

    const bool may_have_acted = !f.response_received && f.request_written;
    diagnostics d; // what the retry policy reads
    d.http_status = f.response_received ? f.http_status : 0;
    d.retry_after = f.retry_after;
    d.should_retry = f.should_retry;
    const auto r = decide_retry(f.ec, d, f.retries_done, f.max_retries, opts, f.jitter);
    if (r.retry_after_over_cap)
        return fail(error::retry_after_too_long, may_have_acted, failure_note::retry_after_too_long);
    if (!r.retry)
        return fail(f.ec, may_have_acted);
    // Compared as durations from now: a deadline of time_point::max() cannot overflow.
    if (f.deadline <= f.now || r.delay >= f.deadline - f.now)
        return fail(error::deadline_exceeded, may_have_acted, failure_note::no_time_for_retry);
    attempt_verdict v;
    v.action = attempt_action::retry_after;
    v.delay = r.delay;
    return v;
}

} // namespace batchwire::detail
