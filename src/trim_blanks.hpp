#ifndef BATCHWIRE_SRC_TRIM_BLANKS_HPP
#define BATCHWIRE_SRC_TRIM_BLANKS_HPP

// Header values and configuration lines without their surrounding spaces and tabs (HTTP's
// optional whitespace, RFC 9110 section 5.6.3).

#include <string_view>

namespace batchwire::detail {

constexpr std::string_view trim_blanks(std::string_view s) noexcept
{
    const auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

} // namespace batchwire::detail

#endif
