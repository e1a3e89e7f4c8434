#include "webhook_signature.hpp"

#include "webhook_base64.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace batchwire::detail {

std::optional<std::vector<webhook_mac>> parse_signature_header(std::string_view header)
{
    std::vector<webhook_mac> v1;
    bool any_entry = false;
    while (!header.empty()) {
        const std::size_t space = header.find(' ');
        const std::string_view entry = header.substr(0, space);
        header = space == std::string_view::npos ? std::string_view{} : header.substr(space + 1);
        if (entry.empty())
            continue; // several spaces in a row
        any_entry = true;
        const std::size_t comma = entry.find(',');
        if (comma == std::string_view::npos)
            return std::nullopt;
        if (entry.substr(0, comma) != "v1")
            continue; // a version we do not know (e.g. asymmetric v1a)
        const auto bytes = decode_base64(entry.substr(comma + 1));
        if (!bytes || bytes->size() != sizeof(webhook_mac))
            continue;
        webhook_mac& m = v1.emplace_back();
        std::copy(bytes->begin(), bytes->end(), m.begin());
    }
    if (!any_entry)
        return std::nullopt;
    return v1;
}

namespace {

struct mac_deleter {
    void operator()(EVP_MAC* m) const noexcept { EVP_MAC_free(m); }
    void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};

// Fetched once: EVP_MAC_fetch looks the algorithm up in the provider tables.
EVP_MAC* hmac_algorithm()
{
    static const std::unique_ptr<EVP_MAC, mac_deleter> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac)
        throw std::runtime_error("OpenSSL has no HMAC");
    return mac.get();
}

} // namespace

webhook_mac compute_webhook_mac(std::string_view key, std::string_view id, std::string_view timestamp,
                                std::string_view body)
{
    std::unique_ptr<EVP_MAC_CTX, mac_deleter> ctx(EVP_MAC_CTX_new(hmac_algorithm()));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    const auto bytes = [](std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); };
    webhook_mac out{};
    std::size_t out_len = 0;
    const bool ok = ctx && EVP_MAC_init(ctx.get(), bytes(key), key.size(), params) == 1 &&
                    EVP_MAC_update(ctx.get(), bytes(id), id.size()) == 1 &&
                    EVP_MAC_update(ctx.get(), bytes("."), 1) == 1 &&
                    EVP_MAC_update(ctx.get(), bytes(timestamp), timestamp.size()) == 1 &&
                    EVP_MAC_update(ctx.get(), bytes("."), 1) == 1 &&
                    EVP_MAC_update(ctx.get(), bytes(body), body.size()) == 1 &&
                    EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) == 1 && out_len == out.size();
    if (!ok)
        throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
    return out;
}

bool any_signature_matches(const webhook_mac& expected, const std::vector<webhook_mac>& listed) noexcept
{
    bool found = false;
    // Every entry is compared, so the time taken does not say which one matched.
    for (const auto& m : listed)
        found |= CRYPTO_memcmp(expected.data(), m.data(), m.size()) == 0;
    return found;
}

} // namespace batchwire::detail
