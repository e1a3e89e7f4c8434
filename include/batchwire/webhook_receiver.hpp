#ifndef BATCHWIRE_WEBHOOK_RECEIVER_HPP
#define BATCHWIRE_WEBHOOK_RECEIVER_HPP

// For an application that already serves HTTP: hand it a delivery's headers and raw body,
// get back the verdict and the HTTP status to answer.
//
//   batchwire::webhook_receiver rx(opts);                // secrets: "whsec_..."
//   batchwire::webhook_headers h;
//   for (auto& f : request) h.add(f.name, f.value);      // any HTTP server's fields
//   auto v = rx.receive(h, raw_body);                    // the body exactly as received
//   respond(v.http_status);                              // at once: handling never delays the answer
//   if (v.event) handle(*v.event);                       // then handle it
//
// Answers: 200 for a verified event, and for a duplicate (same webhook-id within the window:
// the sender must stop retrying, but the event is not handed out again); 400 for a missing
// or malformed header, a bad signature, a stale or future timestamp, a malformed body; 413
// for a body over the limit. Any non-2xx makes the sender retry later.
// Thread safety: receive() may be called from several threads at once (the duplicate
// window is guarded by a mutex held for a lookup).

#include <batchwire/webhook_verifier.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire {

struct webhook_receiver_options {
    // One or more: "whsec_" + base64 (the dashboard's form), or raw text. Several while keys
    // rotate. Never logged.
    std::vector<std::string> secrets;
    webhook_verify_options verify;
    // Duplicate suppression: webhook-ids remembered this long, at most this many (oldest
    // forgotten first; about 100 bytes each). 0 turns it off.
    std::chrono::seconds duplicate_window{3600};
    std::size_t duplicate_capacity = 10000;

    // secrets = {OPENAI_WEBHOOK_SECRET} when the variable is set and not empty.
    static webhook_receiver_options from_env();
};

enum class webhook_outcome : std::uint8_t {
    accepted,  // verified, first delivery: `event` is set
    duplicate, // verified, but this webhook-id was accepted within the window
    refused,   // a check failed: `ec` and `message` say which
};

struct webhook_verdict {
    webhook_outcome outcome = webhook_outcome::refused;
    unsigned http_status = 400;          // the status to answer with
    boost::system::error_code ec;        // a webhook_error when refused
    std::string message;                 // which check failed, in words; never a secret
    std::optional<webhook_event> event;  // set when accepted
};

// Pure: a verification result (and whether its id was seen before) into a verdict.
webhook_verdict make_webhook_verdict(webhook_verification v, bool duplicate);

struct webhook_receiver_stats {
    std::uint64_t accepted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t refused = 0;
};

namespace detail {
struct webhook_receiver_state;
}

class webhook_receiver {
public:
    // Throws batchwire::exception(webhook_error::bad_secret) for no secret or an invalid one.
    explicit webhook_receiver(const webhook_receiver_options& opts);
    webhook_receiver(webhook_receiver&&) noexcept;
    webhook_receiver& operator=(webhook_receiver&&) noexcept;
    ~webhook_receiver();

    // Verifies at system_clock::now().
    webhook_verdict receive(const webhook_headers& headers, std::string_view body);
    webhook_verdict receive(const webhook_headers& headers, std::string_view body,
                            std::chrono::system_clock::time_point now);

    webhook_receiver_stats stats() const noexcept;
    const webhook_verify_options& verify_options() const noexcept;

private:
    std::unique_ptr<detail::webhook_receiver_state> state_;
};

} // namespace batchwire

#endif
