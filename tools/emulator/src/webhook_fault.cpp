#include <batchwire/emulator/webhook_fault.hpp>

#include <array>
#include <charconv>
#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace batchwire::emulator {

namespace {

constexpr std::array<std::pair<webhook_fault_kind, std::string_view>, 5> kind_names{{
    {webhook_fault_kind::drop, "drop"},
    {webhook_fault_kind::duplicate, "duplicate"},
    {webhook_fault_kind::delay, "delay"},
    {webhook_fault_kind::out_of_order, "out_of_order"},
    {webhook_fault_kind::bad_signature, "bad_signature"},
}};

std::string_view trim(std::string_view s)
{
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

template <class T>
T parse_number(std::string_view key, std::string_view text)
{
    T value{};
    const auto res = std::from_chars(text.data(), text.data() + text.size(), value);
    bool negative = false;
    if constexpr (std::is_signed_v<T>)
        negative = value < 0;
    if (text.empty() || res.ec != std::errc{} || res.ptr != text.data() + text.size() || negative)
        throw std::invalid_argument("webhook fault: bad value for " + std::string(key) + ": '" + std::string(text) +
                                    "'");
    return value;
}

webhook_fault_kind parse_kind(std::string_view text)
{
    const auto kind = parse_webhook_fault_kind(text);
    if (!kind)
        throw std::invalid_argument("webhook fault: unknown kind '" + std::string(text) + "'");
    return *kind;
}

// "kind=delay,delay_s=30,skip=1,count=2"
webhook_fault_rule parse_keyed(std::string_view spec)
{
    webhook_fault_rule rule;
    bool has_kind = false;
    while (!spec.empty()) {
        const std::size_t comma = spec.find(',');
        const std::string_view item = trim(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
        if (item.empty())
            continue;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            throw std::invalid_argument("webhook fault: expected key=value, got '" + std::string(item) + "'");
        const std::string_view key = trim(item.substr(0, eq));
        const std::string_view value = trim(item.substr(eq + 1));
        if (key == "kind") {
            rule.kind = parse_kind(value);
            has_kind = true;
        } else if (key == "skip") {
            rule.skip = parse_number<std::size_t>(key, value);
        } else if (key == "count") {
            rule.count = parse_number<std::size_t>(key, value);
        } else if (key == "delay_s") {
            rule.delay = std::chrono::seconds(parse_number<long long>(key, value));
        } else if (key == "delay_ms") {
            rule.delay = std::chrono::milliseconds(parse_number<long long>(key, value));
        } else {
            throw std::invalid_argument("webhook fault: unknown key '" + std::string(key) + "'");
        }
    }
    if (!has_kind)
        throw std::invalid_argument("webhook fault: kind= is required");
    return rule;
}

} // namespace

std::string_view to_string(webhook_fault_kind k) noexcept
{
    for (const auto& [kind, name] : kind_names)
        if (kind == k)
            return name;
    return "unknown";
}

std::ostream& operator<<(std::ostream& os, webhook_fault_kind k) { return os << to_string(k); }

std::optional<webhook_fault_kind> parse_webhook_fault_kind(std::string_view name) noexcept
{
    for (const auto& [kind, text] : kind_names)
        if (text == name)
            return kind;
    return std::nullopt;
}

webhook_fault_rule parse_webhook_fault_rule(std::string_view spec)
{
    spec = trim(spec);
    if (spec.find('=') != std::string_view::npos)
        return parse_keyed(spec);
    webhook_fault_rule rule;
    const std::size_t colon = spec.find(':');
    rule.kind = parse_kind(trim(spec.substr(0, colon)));
    if (colon != std::string_view::npos)
        rule.count = parse_number<std::size_t>("count", trim(spec.substr(colon + 1)));
    return rule;
}

} // namespace batchwire::emulator
