#include <batchwire/emulator/emulated_clock.hpp>

#include <cmath>

namespace batchwire::emulator {

emulated_clock::emulated_clock(double time_scale, bool manual, std::optional<std::int64_t> start_unix_seconds)
    : scale_(time_scale > 0 ? time_scale : 1.0)
    , manual_(manual)
    , wall_start_(std::chrono::steady_clock::now())
{
    if (start_unix_seconds) {
        start_ms_ = *start_unix_seconds * 1000;
    } else {
        start_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    }
}

std::int64_t emulated_clock::now_ms() const noexcept
{
    std::int64_t t = start_ms_ + offset_ms_.load(std::memory_order_acquire);
    if (!manual_) {
        const auto wall = std::chrono::steady_clock::now() - wall_start_;
        const double elapsed_ms = std::chrono::duration<double, std::milli>(wall).count() * scale_;
        t += static_cast<std::int64_t>(std::floor(elapsed_ms));
    }
    return t;
}

void emulated_clock::advance(std::chrono::milliseconds emulated) noexcept
{
    if (emulated.count() > 0)
        offset_ms_.fetch_add(emulated.count(), std::memory_order_acq_rel);
}

std::optional<std::chrono::steady_clock::duration> emulated_clock::wall_until(std::int64_t at_ms) const noexcept
{
    if (manual_)
        return std::nullopt;
    const std::int64_t left = at_ms - now_ms();
    if (left <= 0)
        return std::chrono::steady_clock::duration::zero();
    // Round up so that the instant has passed when the timer fires.
    const double wall_ms = static_cast<double>(left) / scale_;
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
               std::chrono::duration<double, std::milli>(wall_ms)) +
           std::chrono::microseconds(100);
}

} // namespace batchwire::emulator
