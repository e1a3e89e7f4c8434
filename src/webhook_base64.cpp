// base64 through OpenSSL's EVP_DecodeBlock/EVP_EncodeBlock. EVP_DecodeBlock skips
// surrounding whitespace, counts padding as zero bytes and ignores unused bits, so the text
// is checked first, the padding subtracted after, and the result re-encoded to compare.

#include "webhook_base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>

namespace batchwire::detail {

namespace {

bool in_alphabet(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

} // namespace

std::optional<std::string> decode_base64(std::string_view text)
{
    // Canonical text only: whole quanta, '=' only as the last one or two characters, the
    // unused low bits of the last character zero. Then one byte string has one spelling,
    // and a changed signature header never verifies.
    if (text.empty() || text.size() % 4 != 0 || text.size() > static_cast<std::size_t>(INT_MAX / 2))
        return std::nullopt;
    const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
    if (!std::all_of(text.begin(), text.end() - static_cast<std::ptrdiff_t>(padding), in_alphabet))
        return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0 || static_cast<std::size_t>(n) != out.size())
        return std::nullopt;
    out.resize(out.size() - padding);
    if (encode_base64(out) != text)
        return std::nullopt;
    return out;
}

std::string encode_base64(std::string_view bytes)
{
    std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

} // namespace batchwire::detail
