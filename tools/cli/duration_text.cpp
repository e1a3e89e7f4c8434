#include "duration_text.hpp"

#include <cstdint>
#include <limits>

namespace batchwire::cli {

namespace {

// Milliseconds per unit; 0 for an unknown unit.
std::int64_t unit_millis(std::string_view unit) noexcept
{
    if (unit == "ms")
        return 1;
    if (unit == "s")
        return 1000;
    if (unit == "m")
        return 60 * 1000;
    if (unit == "h")
        return 60 * 60 * 1000;
    return 0;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string* why)
{
    const auto fail = [&](std::string reason) -> std::optional<std::chrono::milliseconds> {
        if (why)
            *why = "'" + std::string(text) + "' is not a duration: " + reason + " (examples: 500ms, 30s, 10m, 1h, 1m30s)";
        return std::nullopt;
    };
    if (text.empty())
        return fail("it is empty");

    // A year in milliseconds keeps every sum far from overflowing.
    constexpr std::int64_t max_millis = std::int64_t{366} * 24 * 60 * 60 * 1000;
    std::int64_t total = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t digits = 0;
        std::int64_t number = 0;
        while (digits < rest.size() && is_digit(rest[digits])) {
            number = number * 10 + (rest[digits] - '0');
            if (number > max_millis)
                return fail("it is too long");
            ++digits;
        }
        if (digits == 0)
            return fail("expected a number");
        rest.remove_prefix(digits);
        std::size_t letters = 0;
        while (letters < rest.size() && !is_digit(rest[letters]))
            ++letters;
        if (letters == 0)
            return fail("missing unit (ms, s, m or h)");
        const std::int64_t per_unit = unit_millis(rest.substr(0, letters));
        if (per_unit == 0)
            return fail("unknown unit '" + std::string(rest.substr(0, letters)) + "' (ms, s, m or h)");
        rest.remove_prefix(letters);
        if (number > max_millis / per_unit || total + number * per_unit > max_millis)
            return fail("it is too long");
        total += number * per_unit;
    }
    return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d)
{
    std::int64_t ms = d.count();
    if (ms == 0)
        return "0s";
    std::string out;
    const auto take = [&](std::int64_t per_unit, std::string_view unit) {
        if (ms >= per_unit) {
            out += std::to_string(ms / per_unit);
            out += unit;
            ms %= per_unit;
        }
    };
    take(60 * 60 * 1000, "h");
    take(60 * 1000, "m");
    take(1000, "s");
    take(1, "ms");
    return out;
}

} // namespace batchwire::cli
