#ifndef BATCHWIRE_SRC_WEBHOOK_TIMESTAMP_HPP
#define BATCHWIRE_SRC_WEBHOOK_TIMESTAMP_HPP

// The webhook-timestamp header: unix seconds as ASCII digits, accepted within a tolerance of
// now in both directions (a replayed delivery is stale; a far-future one is refused too).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace batchwire::detail {

// Digits only (no sign, no spaces, no fraction), representable as int64; else nullopt.
std::optional<std::int64_t> parse_webhook_timestamp(std::string_view text) noexcept;

enum class timestamp_verdict { fresh, stale, future };

// fresh when now - tolerance <= ts <= now + tolerance (now in whole seconds, rounded down).
timestamp_verdict check_webhook_timestamp(std::int64_t ts, std::chrono::system_clock::time_point now,
                                          std::chrono::seconds tolerance) noexcept;

} // namespace batchwire::detail

#endif
