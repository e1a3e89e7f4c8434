#ifndef BATCHWIRE_RETRY_OPTIONS_HPP
#define BATCHWIRE_RETRY_OPTIONS_HPP

// The retry policy's parameters. The defaults are the official SDKs'.

#include <chrono>

namespace batchwire {

struct retry_options {
    // Retries after the first attempt: 2 means at most 3 attempts.
    unsigned max_retries = 2;
    // Backoff when the server gives no delay: min(initial_backoff * 2^n, max_backoff) * jitter,
    // jitter uniform in (0.75, 1].
    std::chrono::milliseconds initial_backoff{500};
    std::chrono::milliseconds max_backoff{8000};
    // A retry-after-ms / retry-after above this is not waited for: the error is returned at
    // once, with the requested delay in diagnostics::retry_after.
    std::chrono::milliseconds max_retry_after{60000};
};

} // namespace batchwire

#endif
