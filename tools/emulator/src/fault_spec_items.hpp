#ifndef BATCHWIRE_EMULATOR_SRC_FAULT_SPEC_ITEMS_HPP
#define BATCHWIRE_EMULATOR_SRC_FAULT_SPEC_ITEMS_HPP

// The "key=value,key=value" text of the --fault and --webhook-fault flags: its items and
// its numbers. `what` ("fault", "webhook fault") starts every error message.

#include <charconv>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace batchwire::emulator::detail {

std::string_view trim_spaces(std::string_view s) noexcept;

// Calls on_item(key, value) for every non-empty item, both trimmed. Throws
// std::invalid_argument for an item without '='.
void for_each_spec_item(std::string_view spec, std::string_view what,
                        const std::function<void(std::string_view key, std::string_view value)>& on_item);

[[noreturn]] void throw_bad_spec_value(std::string_view what, std::string_view key, std::string_view text);

// A whole decimal number, never negative.
template <class T>
T parse_spec_number(std::string_view what, std::string_view key, std::string_view text)
{
    T value{};
    const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
    bool negative = false;
    if constexpr (std::is_signed_v<T>)
        negative = value < 0;
    if (text.empty() || res.ec != std::errc{} || res.ptr != text.data() + text.size() || negative)
        throw_bad_spec_value(what, key, text);
    return value;
}

} // namespace batchwire::emulator::detail

#endif
