// The official SDKs' retry policy: when to retry, and how long to wait first.

#include "retry_policy.hpp"

#include "http_date.hpp"
#include "jitter.hpp"
#include "trim_blanks.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace batchwire::detail {

namespace {

using std::chrono::milliseconds;

// Whatever a server sends, a delay is clamped to a day: far above any sensible cap, and
// far below anything that could overflow the arithmetic of a timer.
constexpr double max_delay_ms = 24.0 * 60 * 60 * 1000;

constexpr std::string_view trim(std::string_view s) noexcept { return trim_blanks(s); }

// A finite, non-negative decimal number making up the whole text ("1.5", "2e3"); nullopt
// for anything else, "inf" and "nan" included.
std::optional<double> parse_non_negative(std::string_view s) noexcept
{
    s = trim(s);
    if (s.empty())
        return std::nullopt;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
        return std::nullopt;
    return v;
}

// Rounded up so that a small positive request (0.2 ms) stays positive and is honoured.
milliseconds clamped_ms(double ms) noexcept
{
    return milliseconds{static_cast<milliseconds::rep>(std::ceil(std::min(ms, max_delay_ms)))};
}

} // namespace

std::optional<milliseconds> parse_retry_after(std::string_view retry_after_ms, std::string_view retry_after,
                                              std::chrono::system_clock::time_point now)
{
    if (const auto ms = parse_non_negative(retry_after_ms))
        return clamped_ms(*ms);
    if (const auto seconds = parse_non_negative(retry_after))
        return clamped_ms(*seconds * 1000.0);
    if (const auto date = parse_http_date(trim(retry_after))) {
        // In milliseconds: a date 9999 years out still fits, where nanoseconds would overflow.
        const auto wait = std::chrono::time_point_cast<milliseconds>(*date) -
                          std::chrono::floor<milliseconds>(now);
        if (wait.count() <= 0)
            return milliseconds{0};
        return clamped_ms(static_cast<double>(wait.count()));
    }
    return std::nullopt;
}

std::optional<bool> parse_should_retry(std::string_view value)
{
    value = trim(value);
    if (value == "true")
        return true;
    if (value == "false")
        return false;
    return std::nullopt;
}

retry_decision decide_retry(const boost::system::error_code& ec, const diagnostics& diag, unsigned retries_done,
                            unsigned max_retries, const retry_options& opts, double jitter)
{
    // Out of retries, or not retryable: the error as it is, whatever delay was asked.
    if (retries_done >= max_retries || !is_retryable(ec, diag))
        return {};
    if (diag.retry_after && diag.retry_after->count() > 0) {
        if (*diag.retry_after > opts.max_retry_after)
            return {.retry = false, .delay = milliseconds{0}, .retry_after_over_cap = true};
        return {.retry = true, .delay = *diag.retry_after, .retry_after_over_cap = false};
    }
    return {.retry = true, .delay = backoff_delay(retries_done, opts, jitter), .retry_after_over_cap = false};
}

milliseconds backoff_delay(unsigned retries_done, const retry_options& opts, double jitter)
{
    // A jitter outside (0.75, 1] is a caller's bug; keep the delay in its promised range anyway.
    jitter = clamp_jitter(jitter);
    const double initial = static_cast<double>(std::max<milliseconds::rep>(opts.initial_backoff.count(), 0));
    const double cap = static_cast<double>(std::max<milliseconds::rep>(opts.max_backoff.count(), 0));
    // ldexp saturates to infinity for a large exponent instead of overflowing a shift.
    const double base = std::min({std::ldexp(initial, static_cast<int>(std::min(retries_done, 1024u))), cap,
                                  max_delay_ms});
    return milliseconds{static_cast<milliseconds::rep>(std::llround(base * jitter))};
}

} // namespace batchwire::detail
