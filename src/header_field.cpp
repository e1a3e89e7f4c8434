#include "header_field.hpp"

#include <boost/beast/core/string.hpp>

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
        if (boost::beast::iequals(name, r))
            return true;
    return false;
}

} // namespace batchwire::detail
