#ifndef BATCHWIRE_WEBHOOK_SIGNER_HPP
#define BATCHWIRE_WEBHOOK_SIGNER_HPP

// The sending side of Standard Webhooks: the webhook-signature entry for a delivery. For
// servers (the emulator) and for testing an application's webhook endpoint.

#include <cstdint>
#include <string>
#include <string_view>

namespace batchwire {

// "v1,<base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}")>", the key decoded from
// `secret` as the verifier does ("whsec_" + base64, or raw text). Throws
// batchwire::exception(webhook_error::bad_secret) for an invalid secret.
std::string sign_webhook(std::string_view secret, std::string_view id, std::int64_t timestamp, std::string_view body);

} // namespace batchwire

#endif
