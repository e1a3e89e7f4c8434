#include "fault_spec_items.hpp"

namespace batchwire::emulator::detail {

std::string_view trim_spaces(std::string_view s) noexcept
{
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

void for_each_spec_item(std::string_view spec, std::string_view what,
                        const std::function<void(std::string_view key, std::string_view value)>& on_item)
{
    while (!spec.empty()) {
        const std::size_t comma = spec.find(',');
        const std::string_view item = trim_spaces(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
        if (item.empty())
            continue;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            throw std::invalid_argument(std::string(what) + ": expected key=value, got '" + std::string(item) + "'");
        on_item(trim_spaces(item.substr(0, eq)), trim_spaces(item.substr(eq + 1)));
    }
}

void throw_bad_spec_value(std::string_view what, std::string_view key, std::string_view text)
{
    throw std::invalid_argument(std::string(what) + ": bad value for " + std::string(key) + ": '" + std::string(text) +
                                "'");
}

} // namespace batchwire::emulator::detail
