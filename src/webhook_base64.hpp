#ifndef BATCHWIRE_SRC_WEBHOOK_BASE64_HPP
#define BATCHWIRE_SRC_WEBHOOK_BASE64_HPP

// Standard base64 (RFC 4648 section 4) through OpenSSL, strict about its alphabet: webhook
// secrets and signatures.

#include <optional>
#include <string>
#include <string_view>

namespace batchwire::detail {

// The decoded bytes; nullopt for text that is not canonical base64: empty, a character
// outside the alphabet, whitespace, missing, misplaced or excess '=', a length that is not
// a multiple of 4, unused low bits of the last character set.
std::optional<std::string> decode_base64(std::string_view text);

std::string encode_base64(std::string_view bytes);

} // namespace batchwire::detail

#endif
