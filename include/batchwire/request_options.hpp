#ifndef BATCHWIRE_REQUEST_OPTIONS_HPP
#define BATCHWIRE_REQUEST_OPTIONS_HPP

// Per-call overrides, and the response metadata a call can report.

#include <chrono>
#include <optional>
#include <string>

namespace batchwire {

// What the API said about rate limits (x-ratelimit-*), as sent.
struct rate_limits {
    std::optional<long long> limit_requests;
    std::optional<long long> limit_tokens;
    std::optional<long long> remaining_requests;
    std::optional<long long> remaining_tokens;
    std::string reset_requests; // a duration like "6m0s"
    std::string reset_tokens;
};

// Metadata of the response that ended a call (successful or not).
struct response_metadata {
    unsigned http_status = 0;
    std::string request_id;
    std::optional<long long> processing_ms; // openai-processing-ms
    std::optional<std::chrono::milliseconds> poll_after; // openai-poll-after-ms
    std::optional<long long> server_date;   // the Date header, unix seconds: the server's clock
    rate_limits limits;
    unsigned attempts = 0;
    std::chrono::microseconds elapsed{0}; // the whole call, backoff included
};

struct request_options {
    std::optional<unsigned> max_retries;                       // overrides retry_options::max_retries
    std::optional<std::chrono::milliseconds> attempt_timeout;  // overrides client_options::attempt_timeout
    std::optional<std::chrono::milliseconds> total_timeout;    // overrides client_options::total_timeout
    // Sent as Idempotency-Key; lets create() be resent after a failure once written.
    std::string idempotency_key;
    // When not null, filled in when the call completes. Must outlive the call.
    response_metadata* metadata = nullptr;
};

} // namespace batchwire

#endif
