#include "header_field.hpp"

#include <array>

namespace batchwire::detail {

namespace {

bool is_token_char(char c) noexcept
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

} // namespace

// ASCII case-insensitive equality. Not boost::beast::iequals: in Boost 1.81 it reads one
// byte past its first argument when the last characters differ only in case.
bool ascii_iequals(std::string_view a, std::string_view b) noexcept
{
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

bool is_header_name(std::string_view s) noexcept
{
    if (s.empty())
        return false;
    for (char c : s)
        if (!is_token_char(c))
            return false;
    return true;
}

bool is_header_value(std::string_view s) noexcept
{
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool is_reserved_header(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 6> reserved{"host", "authorization", "content-length",
                                                              "transfer-encoding", "connection", "upgrade"};
    for (auto r : reserved)
        if (ascii_iequals(name, r))
            return true;
    return false;
}

} // namespace batchwire::detail
