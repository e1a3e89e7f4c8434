#ifndef BATCHWIRE_WEBHOOK_VERIFIER_HPP
#define BATCHWIRE_WEBHOOK_VERIFIER_HPP

// Verifies a webhook delivery per Standard Webhooks before anything reads it, and parses the
// verified body into a webhook_event.
//
// Checks, in order (the first that fails is the error, a webhook_error):
//   secrets      each is "whsec_" + base64 (decoded), or raw bytes without the prefix; none empty
//   headers      webhook-id, webhook-timestamp, webhook-signature present, once each, not empty
//   timestamp    ASCII digits (unix seconds), within `tolerance` of now in both directions
//   body size    at most max_body_bytes
//   signature    some "v1,<base64>" entry of webhook-signature equals HMAC-SHA256 over
//                "{id}.{timestamp}.{body}" with some secret (several entries: key rotation;
//                several secrets: ours rotate), compared in constant time; other versions skipped
//   body         a JSON object within max_json_depth with id, type, created_at, and data.id
//                for the batch.* types
// Pure: no I/O, no clock (now is a parameter), no state. Messages never hold a secret.

#include <batchwire/webhook_error.hpp>
#include <batchwire/webhook_event.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire {

// The three headers of a delivery, as the application's HTTP server received them. Values
// are views: the text must outlive the verification.
struct webhook_headers {
    std::optional<std::string_view> id;        // webhook-id
    std::optional<std::string_view> timestamp; // webhook-timestamp
    std::optional<std::string_view> signature; // webhook-signature
    bool repeated = false;                     // one of them was given twice: refused

    // Feed every header field of the request: the three are picked by name, case-insensitively.
    void add(std::string_view name, std::string_view value) noexcept;
};

struct webhook_verify_options {
    std::chrono::seconds tolerance{300};      // Standard Webhooks' default, both directions
    std::size_t max_body_bytes = 256 * 1024;  // batch events are a few hundred bytes
    std::size_t max_json_depth = 32;
};

struct webhook_verification {
    boost::system::error_code ec;       // a webhook_error; empty when verified
    std::string message;                // which check failed and why, in words
    std::optional<webhook_event> event; // set exactly when verified

    explicit operator bool() const noexcept { return !ec; }
};

// Verifies with secrets given as text (decoded on each call; webhook_verifier decodes once).
webhook_verification verify_webhook(const webhook_headers& headers, std::string_view body,
                                    std::span<const std::string> secrets, std::chrono::system_clock::time_point now,
                                    const webhook_verify_options& opts);
webhook_verification verify_webhook(const webhook_headers& headers, std::string_view body,
                                    std::span<const std::string> secrets, std::chrono::system_clock::time_point now);

// The secrets decoded once. Thread safety: const, so safe to share between threads.
class webhook_verifier {
public:
    // Throws batchwire::exception with webhook_error::bad_secret (the message names the
    // secret's position, never its text) when there is no secret or one is invalid.
    explicit webhook_verifier(std::span<const std::string> secrets);
    webhook_verifier(std::span<const std::string> secrets, webhook_verify_options opts);
    webhook_verifier(const webhook_verifier&);
    webhook_verifier& operator=(const webhook_verifier&);
    webhook_verifier(webhook_verifier&&) noexcept;
    webhook_verifier& operator=(webhook_verifier&&) noexcept;
    ~webhook_verifier(); // wipes the decoded keys

    webhook_verification verify(const webhook_headers& headers, std::string_view body,
                                std::chrono::system_clock::time_point now) const;
    // now = system_clock::now()
    webhook_verification verify(const webhook_headers& headers, std::string_view body) const;

    const webhook_verify_options& options() const noexcept { return opts_; }

private:
    std::vector<std::string> keys_;
    webhook_verify_options opts_;
};

} // namespace batchwire

#endif
