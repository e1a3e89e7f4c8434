#ifndef BATCHWIRE_EMULATOR_EMULATED_CLOCK_HPP
#define BATCHWIRE_EMULATOR_EMULATED_CLOCK_HPP

// The emulator's clock: unix milliseconds that run time_scale times faster than the wall
// (steady) clock, plus whatever advance() added; with `manual` only advance() moves it.
// Monotonic. Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace batchwire::emulator {

class emulated_clock {
public:
    // start_unix_seconds: the emulated time now; default the system clock's.
    emulated_clock(double time_scale, bool manual, std::optional<std::int64_t> start_unix_seconds = {});

    std::int64_t now_ms() const noexcept;
    std::int64_t now_seconds() const noexcept { return floor_seconds(now_ms()); }
    void advance(std::chrono::milliseconds emulated) noexcept;

    bool manual() const noexcept { return manual_; }
    double time_scale() const noexcept { return scale_; }

    // Wall time until the emulated instant `at_ms` (zero when it has passed);
    // nullopt with a manual clock, where only advance() gets there.
    std::optional<std::chrono::steady_clock::duration> wall_until(std::int64_t at_ms) const noexcept;

    static std::int64_t floor_seconds(std::int64_t ms) noexcept { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }

private:
    double scale_;
    bool manual_;
    std::int64_t start_ms_;
    std::chrono::steady_clock::time_point wall_start_;
    std::atomic<std::int64_t> offset_ms_{0};
};

} // namespace batchwire::emulator

#endif
