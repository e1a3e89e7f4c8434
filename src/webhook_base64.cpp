// base64 through OpenSSL's EVP_DecodeBlock/EVP_EncodeBlock. EVP_DecodeBlock skips
// surrounding whitespace and counts padding as zero bytes, so the text is checked first and
// the padding subtracted after.

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
    std::string padded(text);
    std::size_t padding = 0;
    while (!padded.empty() && padded.back() == '=' && padding < 2) {
        padded.pop_back();
        ++padding;
    }
    if (!std::all_of(padded.begin(), padded.end(), in_alphabet))
        return std::nullopt;
    if (padded.size() % 4 == 1 || (padding > 0 && (padded.size() + padding) % 4 != 0))
        return std::nullopt;
    if (padded.size() > static_cast<std::size_t>(INT_MAX / 2))
        return std::nullopt;
    padding = (4 - padded.size() % 4) % 4;
    padded.append(padding, '=');
    std::string out(padded.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
    if (n < 0)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - padding);
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
