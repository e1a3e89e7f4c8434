#include <batchwire/emulator/fault_rule.hpp>

#include "fault_spec_items.hpp"

#include <array>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>

namespace batchwire::emulator {

namespace {

constexpr std::array<std::pair<fault_kind, std::string_view>, 11> kind_names{{
    {fault_kind::http_status, "http_status"},
    {fault_kind::rate_limited, "rate_limited"},
    {fault_kind::insufficient_quota, "insufficient_quota"},
    {fault_kind::close_after_response, "close_after_response"},
    {fault_kind::reset_mid_response, "reset_mid_response"},
    {fault_kind::truncate_body, "truncate_body"},
    {fault_kind::stall_headers, "stall_headers"},
    {fault_kind::stall_body, "stall_body"},
    {fault_kind::slow_drip, "slow_drip"},
    {fault_kind::malformed_json, "malformed_json"},
    {fault_kind::wrong_content_type, "wrong_content_type"},
}};

double parse_double(std::string_view key, std::string_view text)
{
    try {
        std::size_t used = 0;
        const std::string s(text);
        const double v = std::stod(s, &used);
        if (used != s.size())
            throw std::invalid_argument("");
        return v;
    } catch (const std::exception&) {
        detail::throw_bad_spec_value("fault", key, text);
    }
}

bool parse_bool(std::string_view key, std::string_view text)
{
    if (text == "true" || text == "1")
        return true;
    if (text == "false" || text == "0")
        return false;
    detail::throw_bad_spec_value("fault", key, text);
}

} // namespace

std::string_view to_string(fault_kind k) noexcept
{
    for (const auto& [kind, name] : kind_names)
        if (kind == k)
            return name;
    return "unknown";
}

std::ostream& operator<<(std::ostream& os, fault_kind k)
{
    return os << to_string(k);
}

std::optional<fault_kind> parse_fault_kind(std::string_view name) noexcept
{
    for (const auto& [kind, text] : kind_names)
        if (text == name)
            return kind;
    return std::nullopt;
}

std::string normalize_route_pattern(std::string_view pattern)
{
    pattern = detail::trim_spaces(pattern);
    std::string out;
    out.reserve(pattern.size());
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{') {
            const std::size_t close = pattern.find('}', i);
            if (close != std::string_view::npos) {
                out += "{id}";
                i = close;
                continue;
            }
        }
        out.push_back(pattern[i]);
    }
    return out;
}

fault_rule parse_fault_rule(std::string_view spec)
{
    fault_rule rule;
    bool has_kind = false;
    detail::for_each_spec_item(spec, "fault", [&](std::string_view key, std::string_view value) {
        if (key == "route") {
            rule.route = std::string(value);
        } else if (key == "kind") {
            const auto kind = parse_fault_kind(value);
            if (!kind)
                throw std::invalid_argument("fault: unknown kind '" + std::string(value) + "'");
            rule.kind = *kind;
            has_kind = true;
        } else if (key == "skip") {
            rule.skip = detail::parse_spec_number<std::size_t>("fault", key, value);
        } else if (key == "count") {
            rule.count = detail::parse_spec_number<std::size_t>("fault", key, value);
        } else if (key == "probability") {
            rule.probability = parse_double(key, value);
            if (rule.probability < 0 || rule.probability > 1)
                throw std::invalid_argument("fault: probability must be within [0, 1]");
        } else if (key == "status") {
            rule.status = detail::parse_spec_number<unsigned>("fault", key, value);
            if (rule.status < 100 || rule.status > 999)
                throw std::invalid_argument("fault: status must be within 100..999");
        } else if (key == "retry_after_s") {
            rule.retry_after_s = parse_double(key, value);
        } else if (key == "retry_after_ms") {
            rule.retry_after_ms = parse_double(key, value);
        } else if (key == "should_retry") {
            rule.should_retry = parse_bool(key, value);
        } else if (key == "drip_interval_ms") {
            rule.drip_interval = std::chrono::milliseconds(detail::parse_spec_number<long>("fault", key, value));
        } else if (key == "drip_bytes") {
            rule.drip_bytes = detail::parse_spec_number<std::size_t>("fault", key, value);
            if (rule.drip_bytes == 0)
                throw std::invalid_argument("fault: drip_bytes must be positive");
        } else if (key == "stall_ms") {
            rule.stall_for = std::chrono::milliseconds(detail::parse_spec_number<long>("fault", key, value));
        } else {
            throw std::invalid_argument("fault: unknown key '" + std::string(key) + "'");
        }
    });
    if (!has_kind)
        throw std::invalid_argument("fault: kind= is required");
    return rule;
}

} // namespace batchwire::emulator
