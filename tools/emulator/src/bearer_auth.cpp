#include <batchwire/emulator/bearer_auth.hpp>

#include <cctype>
#include <string>

namespace batchwire::emulator {

namespace {

api_error missing_key()
{
    return api_error{401,
                     "You didn't provide an API key. You need to provide your API key in an Authorization header "
                     "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                     "invalid_request_error", std::nullopt, std::nullopt};
}

api_error wrong_key()
{
    return api_error{401,
                     "Incorrect API key provided. You can find your API key at "
                     "https://platform.openai.com/account/api-keys.",
                     "invalid_request_error", std::nullopt, std::string("invalid_api_key")};
}

// Constant-time comparison: the emulator is a test server, but keys are keys.
bool same_key(std::string_view a, std::string_view b)
{
    unsigned diff = a.size() == b.size() ? 0u : 1u;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^
                                      static_cast<unsigned char>(i < b.size() ? b[i] : 0));
    return diff == 0;
}

} // namespace

std::optional<api_error> check_bearer(std::string_view header, bool header_present, std::string_view expected_key)
{
    if (!header_present)
        return missing_key();
    constexpr std::string_view scheme = "bearer ";
    if (header.size() < scheme.size())
        return missing_key();
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i])
            return missing_key();
    std::string_view token = header.substr(scheme.size());
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ')
        token.remove_suffix(1);
    if (token.empty())
        return missing_key();
    if (!expected_key.empty() && !same_key(token, expected_key))
        return wrong_key();
    return std::nullopt;
}

} // namespace batchwire::emulator
