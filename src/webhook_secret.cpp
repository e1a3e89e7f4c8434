#include "webhook_secret.hpp"

#include "webhook_base64.hpp"

namespace batchwire::detail {

std::optional<std::string> decode_webhook_secret(std::string_view secret)
{
    constexpr std::string_view prefix = "whsec_";
    if (!secret.starts_with(prefix))
        return secret.empty() ? std::nullopt : std::optional<std::string>(secret);
    auto key = decode_base64(secret.substr(prefix.size()));
    if (!key || key->empty())
        return std::nullopt;
    return key;
}

} // namespace batchwire::detail
