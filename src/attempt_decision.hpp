#ifndef BATCHWIRE_SRC_ATTEMPT_DECISION_HPP
#define BATCHWIRE_SRC_ATTEMPT_DECISION_HPP

// What the request loop does after an attempt: a pure function of the attempt's facts (what
// was sent, what came back, how many retries were made, the deadline, the clock) that
// returns the next action. request_loop.cpp only carries it out.

#include "retry_policy.hpp"

#include <batchwire/error.hpp>
#include <batchwire/retry_options.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace batchwire::detail {

struct attempt_facts {
    // The attempt's error: a transport error (no response), an error status's error (see
    // error_for_response) or none for a 2xx response.
    boost::system::error_code ec;
    bool response_received = false; // a complete response with a status came back
    unsigned http_status = 0;        // its status
    // From the error response's headers and body (see read_api_error).
    std::optional<std::chrono::milliseconds> retry_after;
    std::optional<bool> should_retry;
    std::string_view api_error_type; // the API's error.type ("invalid_request_error", ...)

    bool reused_connection = false;  // the attempt ran on a kept-alive connection
    bool request_written = false;    // the request (or part of it) reached the socket
    bool response_started = false;   // some response byte came back
    bool body_delivered = false;     // part of a streamed body went to the caller's sink
    bool idempotent = true;          // may be sent again after it was written
    // A 409 invalid_request_error is the server's final refusal, not a lock conflict (a
    // cancel of a batch that has ended).
    bool conflict_refusal_is_final = false;
    bool fresh_resend_used = false;  // the one resend on a fresh connection was made
    bool cancelled = false;          // the call's cancellation was requested

    unsigned retries_done = 0;
    unsigned max_retries = 0;
    std::chrono::steady_clock::time_point now;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    double jitter = 1.0; // (0.75, 1], see jitter.hpp
};

enum class attempt_action {
    succeed,        // a 2xx response: the call's result
    resend_fresh,   // send again at once on a fresh connection, outside the retry budget
    retry_after,    // wait `delay`, then retry (one retry of the budget)
    fail,           // the call ends with `error`
};

// Why a failure is what it is, for the diagnostics' message.
enum class failure_note {
    as_is,              // the attempt's own error and message
    cancelled,          // cancellation (before or after the request was written)
    deadline_passed,    // the attempt timed out at the call's deadline
    no_time_for_retry,  // a retry was due, but its delay reaches past the deadline
    retry_after_too_long, // the server asked for more than retry_options::max_retry_after
};

struct attempt_verdict {
    attempt_action action = attempt_action::fail;
    std::chrono::milliseconds delay{0};    // retry_after: the wait
    boost::system::error_code error;       // fail: the call's error
    bool request_may_have_been_processed = false; // fail: the server may have acted
    failure_note note = failure_note::as_is;
};

attempt_verdict decide_attempt(const attempt_facts& f, const retry_options& opts);

} // namespace batchwire::detail

#endif
