#include <batchwire/emulator/webhook_retry.hpp>

#include <algorithm>

namespace batchwire::emulator {

std::optional<std::chrono::milliseconds> webhook_retry_delay(unsigned failed_attempts,
                                                             const webhook_retry_params& p) noexcept
{
    if (failed_attempts == 0)
        failed_attempts = 1;
    if (failed_attempts >= std::max(p.max_attempts, 1u))
        return std::nullopt;
    const auto cap = std::max(p.max_backoff, std::chrono::milliseconds(0));
    auto wait = std::max(p.initial_backoff, std::chrono::milliseconds(0));
    // Doubling stops at the cap, so it never overflows.
    for (unsigned i = 1; i < failed_attempts && wait < cap; ++i)
        wait *= 2;
    return std::min(wait, cap);
}

} // namespace batchwire::emulator
