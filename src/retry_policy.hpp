#ifndef BATCHWIRE_SRC_RETRY_POLICY_HPP
#define BATCHWIRE_SRC_RETRY_POLICY_HPP

// The official SDKs' retry policy as a pure function of what happened: no clock, no
// randomness of its own (the jitter is drawn by the caller, see jitter.hpp), no I/O.

#include "jitter.hpp"

#include <batchwire/error.hpp>
#include <batchwire/retry_options.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace batchwire::detail {

// retry-after-ms (float milliseconds), else retry-after (float seconds, or an HTTP-date
// taken relative to `now`). nullopt when neither is present, parseable and >= 0.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view retry_after_ms, std::string_view retry_after,
                                                           std::chrono::system_clock::time_point now);

// x-should-retry: "true" / "false"; nullopt for absent or anything else.
std::optional<bool> parse_should_retry(std::string_view value);

struct retry_decision {
    bool retry = false;
    std::chrono::milliseconds delay{0};
    // When the server asked for more than max_retry_after: not retried, and the caller
    // returns the error at once (diag.retry_after holds what was asked).
    bool retry_after_over_cap = false;
};

// retries_done: retries already made for this call (0 before the first retry).
// jitter: a factor in (0.75, 1], drawn by the caller, applied to the computed backoff only.
// The server's delay (diag.retry_after) is used when 0 < delay <= max_retry_after.
retry_decision decide_retry(const boost::system::error_code& ec, const diagnostics& diag, unsigned retries_done,
                            unsigned max_retries, const retry_options& opts, double jitter);

// The backoff without a server delay: min(initial * 2^n, max) * jitter.
std::chrono::milliseconds backoff_delay(unsigned retries_done, const retry_options& opts, double jitter);

} // namespace batchwire::detail

#endif
