#ifndef BATCHWIRE_WEBHOOK_ERROR_HPP
#define BATCHWIRE_WEBHOOK_ERROR_HPP

// Why a webhook delivery was refused: one value per check, in the order they are made.
// Messages and diagnostics never hold a secret.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace batchwire {

enum class webhook_error {
    bad_secret = 1,     // a configured secret is empty, or "whsec_" followed by invalid base64
    missing_header,     // webhook-id, webhook-timestamp or webhook-signature is absent
    malformed_header,   // a header is empty, given twice, or not of its form (timestamp not digits, ...)
    stale_timestamp,    // webhook-timestamp is more than the tolerance before now
    future_timestamp,   // webhook-timestamp is more than the tolerance after now
    body_too_large,     // the body is over the configured limit (not verified, not read)
    bad_signature,      // no v1 signature in the header matches any secret
    malformed_body,     // signed correctly, but not an event: bad JSON, too deep, missing fields
};

const boost::system::error_category& webhook_error_category() noexcept;

inline boost::system::error_code make_error_code(webhook_error e) noexcept
{
    return {static_cast<int>(e), webhook_error_category()};
}

} // namespace batchwire

template <>
struct boost::system::is_error_code_enum<batchwire::webhook_error> : std::true_type {};

#endif
