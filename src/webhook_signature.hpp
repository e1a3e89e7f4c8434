#ifndef BATCHWIRE_SRC_WEBHOOK_SIGNATURE_HPP
#define BATCHWIRE_SRC_WEBHOOK_SIGNATURE_HPP

// Standard Webhooks signatures: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}",
// listed in webhook-signature as space-separated "v1,<base64>" entries (one per active key
// while keys rotate). Other versions are skipped.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire::detail {

using webhook_mac = std::array<unsigned char, 32>;

// The v1 signatures of a header, decoded; an entry that is not base64 or not 32 bytes
// can never match and is left out. nullopt: the header is empty or an entry has no ','.
std::optional<std::vector<webhook_mac>> parse_signature_header(std::string_view header);

// HMAC-SHA256 keyed with `key` over id.timestamp.body, through OpenSSL's EVP_MAC.
webhook_mac compute_webhook_mac(std::string_view key, std::string_view id, std::string_view timestamp,
                                std::string_view body);

// True if any of `listed` equals `expected`, compared in constant time.
bool any_signature_matches(const webhook_mac& expected, const std::vector<webhook_mac>& listed) noexcept;

} // namespace batchwire::detail

#endif
