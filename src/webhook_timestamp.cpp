#include "webhook_timestamp.hpp"

#include <charconv>

namespace batchwire::detail {

std::optional<std::int64_t> parse_webhook_timestamp(std::string_view text) noexcept
{
    if (text.empty() || text.front() < '0' || text.front() > '9')
        return std::nullopt; // from_chars would take a '-'
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

timestamp_verdict check_webhook_timestamp(std::int64_t ts, std::chrono::system_clock::time_point now,
                                          std::chrono::seconds tolerance) noexcept
{
    const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::int64_t tol = tolerance.count() < 0 ? 0 : tolerance.count();
    // ts >= 0 and now_s is a date: the differences cannot overflow.
    if (ts < now_s - tol)
        return timestamp_verdict::stale;
    if (ts - now_s > tol)
        return timestamp_verdict::future;
    return timestamp_verdict::fresh;
}

} // namespace batchwire::detail
