#ifndef BATCHWIRE_SRC_WEBHOOK_SECRET_HPP
#define BATCHWIRE_SRC_WEBHOOK_SECRET_HPP

// A webhook secret as configured into the HMAC key: "whsec_" + base64 is decoded; text
// without the prefix is used as it is.

#include <optional>
#include <string>
#include <string_view>

namespace batchwire::detail {

// nullopt: empty, or the prefix followed by nothing or by text that is not base64.
std::optional<std::string> decode_webhook_secret(std::string_view secret);

} // namespace batchwire::detail

#endif
