#include <batchwire/emulator/webhook_fault.hpp>

#include "fault_spec_items.hpp"

#include <array>
#include <ostream>
#include <stdexcept>
#include <string>
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
    detail::for_each_spec_item(spec, "webhook fault", [&](std::string_view key, std::string_view value) {
        if (key == "kind") {
            rule.kind = parse_kind(value);
            has_kind = true;
        } else if (key == "skip") {
            rule.skip = detail::parse_spec_number<std::size_t>("webhook fault", key, value);
        } else if (key == "count") {
            rule.count = detail::parse_spec_number<std::size_t>("webhook fault", key, value);
        } else if (key == "delay_s") {
            rule.delay = std::chrono::seconds(detail::parse_spec_number<long long>("webhook fault", key, value));
        } else if (key == "delay_ms") {
            rule.delay = std::chrono::milliseconds(detail::parse_spec_number<long long>("webhook fault", key, value));
        } else {
            throw std::invalid_argument("webhook fault: unknown key '" + std::string(key) + "'");
        }
    });
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
    spec = detail::trim_spaces(spec);
    if (spec.find('=') != std::string_view::npos)
        return parse_keyed(spec);
    webhook_fault_rule rule;
    const std::size_t colon = spec.find(':');
    rule.kind = parse_kind(detail::trim_spaces(spec.substr(0, colon)));
    if (colon != std::string_view::npos)
        rule.count =
            detail::parse_spec_number<std::size_t>("webhook fault", "count", detail::trim_spaces(spec.substr(colon + 1)));
    return rule;
}

} // namespace batchwire::emulator
