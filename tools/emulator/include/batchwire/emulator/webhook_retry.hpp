#ifndef BATCHWIRE_EMULATOR_WEBHOOK_RETRY_HPP
#define BATCHWIRE_EMULATOR_WEBHOOK_RETRY_HPP

// When the emulator's webhook sender tries a delivery again. Pure.

#include <chrono>
#include <optional>

namespace batchwire::emulator {

struct webhook_retry_params {
    unsigned max_attempts = 8;                   // attempts per delivery, the first included (0 acts as 1)
    std::chrono::milliseconds initial_backoff{5000}; // emulated wait after the first failed attempt
    std::chrono::milliseconds max_backoff{3600000};  // cap of the doubling
};

// After `failed_attempts` (>= 1) failed attempts of one delivery: the emulated wait before
// the next, initial_backoff * 2^(failed_attempts - 1) capped at max_backoff; nullopt when
// the delivery has had all its attempts and is abandoned.
std::optional<std::chrono::milliseconds> webhook_retry_delay(unsigned failed_attempts,
                                                             const webhook_retry_params& p) noexcept;

} // namespace batchwire::emulator

#endif
