#include <batchwire/webhook_signer.hpp>

#include <batchwire/error.hpp>
#include <batchwire/webhook_error.hpp>

#include "webhook_base64.hpp"
#include "webhook_secret.hpp"
#include "webhook_signature.hpp"

#include <openssl/crypto.h>

namespace batchwire {

std::string sign_webhook(std::string_view secret, std::string_view id, std::int64_t timestamp, std::string_view body)
{
    auto key = detail::decode_webhook_secret(secret);
    if (!key) {
        diagnostics diag;
        diag.message = "the webhook secret is empty, or not valid base64 after its whsec_ prefix";
        throw exception(webhook_error::bad_secret, std::move(diag));
    }
    const auto mac = detail::compute_webhook_mac(*key, id, std::to_string(timestamp), body);
    OPENSSL_cleanse(key->data(), key->size());
    return "v1," + detail::encode_base64({reinterpret_cast<const char*>(mac.data()), mac.size()});
}

} // namespace batchwire
