// The order of the checks: configuration, headers, timestamp, size, signature, then the
// body is read. Nothing of the body is parsed before its signature matched.

#include <batchwire/webhook_verifier.hpp>

#include <batchwire/error.hpp>

#include "header_field.hpp"
#include "trim_blanks.hpp"
#include "webhook_event_json.hpp"
#include "webhook_secret.hpp"
#include "webhook_signature.hpp"
#include "webhook_timestamp.hpp"


#include <openssl/crypto.h>

namespace batchwire {

namespace {

webhook_verification refuse(webhook_error e, std::string message)
{
    webhook_verification v;
    v.ec = e;
    v.message = std::move(message);
    return v;
}

// The decoded keys, or the position of the first bad secret.
struct decoded_keys {
    std::vector<std::string> keys;
    std::optional<std::size_t> bad_index;
};

decoded_keys decode_all(std::span<const std::string> secrets)
{
    decoded_keys out;
    for (std::size_t i = 0; i < secrets.size(); ++i) {
        auto key = detail::decode_webhook_secret(secrets[i]);
        if (!key) {
            out.bad_index = i;
            return out;
        }
        out.keys.push_back(std::move(*key));
    }
    return out;
}

std::string bad_secret_message(const decoded_keys& d)
{
    if (!d.bad_index)
        return "no webhook secret is configured";
    return "webhook secret #" + std::to_string(*d.bad_index + 1) +
           " is empty, or not valid base64 after its whsec_ prefix";
}

void wipe(std::vector<std::string>& keys) noexcept
{
    for (auto& k : keys)
        OPENSSL_cleanse(k.data(), k.size());
    keys.clear();
}

webhook_verification verify_with(std::span<const std::string> keys, const webhook_headers& h, std::string_view body,
                                 std::chrono::system_clock::time_point now, const webhook_verify_options& opts)
{
    if (h.repeated)
        return refuse(webhook_error::malformed_header, "a webhook header is given more than once");
    if (!h.id || !h.timestamp || !h.signature)
        return refuse(webhook_error::missing_header, std::string("the ") +
                                                         (!h.id ? "webhook-id" : !h.timestamp ? "webhook-timestamp"
                                                                                                : "webhook-signature") +
                                                         " header is missing");
    const std::string_view id = detail::trim_blanks(*h.id);
    const std::string_view ts_text = detail::trim_blanks(*h.timestamp);
    const std::string_view sig_text = detail::trim_blanks(*h.signature);
    if (id.empty())
        return refuse(webhook_error::malformed_header, "the webhook-id header is empty");
    const auto ts = detail::parse_webhook_timestamp(ts_text);
    if (!ts)
        return refuse(webhook_error::malformed_header, "the webhook-timestamp header is not unix seconds in digits");
    switch (detail::check_webhook_timestamp(*ts, now, opts.tolerance)) {
    case detail::timestamp_verdict::stale:
        return refuse(webhook_error::stale_timestamp, "the webhook timestamp is more than " +
                                                          std::to_string(opts.tolerance.count()) + " s in the past");
    case detail::timestamp_verdict::future:
        return refuse(webhook_error::future_timestamp, "the webhook timestamp is more than " +
                                                           std::to_string(opts.tolerance.count()) + " s in the future");
    case detail::timestamp_verdict::fresh:
        break;
    }
    if (body.size() > opts.max_body_bytes)
        return refuse(webhook_error::body_too_large, "the webhook body of " + std::to_string(body.size()) +
                                                         " bytes is over the limit of " +
                                                         std::to_string(opts.max_body_bytes));
    const auto listed = detail::parse_signature_header(sig_text);
    if (!listed)
        return refuse(webhook_error::malformed_header,
                      "the webhook-signature header is empty or has an entry without a version");
    bool matched = false;
    for (const auto& key : keys)
        matched |= detail::any_signature_matches(detail::compute_webhook_mac(key, id, ts_text, body), *listed);
    if (!matched)
        return refuse(webhook_error::bad_signature, listed->empty()
                                                        ? "the webhook-signature header has no well-formed v1 signature"
                                                        : "no v1 signature matches a webhook secret");
    webhook_verification v;
    std::string why;
    webhook_event e = detail::parse_webhook_event(body, opts.max_json_depth, v.ec, why);
    if (v.ec) {
        v.message = "the webhook body is not a valid event: " + why;
        return v;
    }
    e.webhook_id = id;
    e.webhook_timestamp = *ts;
    v.event = std::move(e);
    return v;
}

} // namespace

void webhook_headers::add(std::string_view name, std::string_view value) noexcept
{
    const auto set = [&](std::optional<std::string_view>& slot) {
        if (slot)
            repeated = true;
        slot = value;
    };
    if (detail::ascii_iequals(name, "webhook-id"))
        set(id);
    else if (detail::ascii_iequals(name, "webhook-timestamp"))
        set(timestamp);
    else if (detail::ascii_iequals(name, "webhook-signature"))
        set(signature);
}

webhook_verification verify_webhook(const webhook_headers& headers, std::string_view body,
                                    std::span<const std::string> secrets, std::chrono::system_clock::time_point now,
                                    const webhook_verify_options& opts)
{
    decoded_keys d = decode_all(secrets);
    if (d.bad_index || d.keys.empty()) {
        wipe(d.keys);
        return refuse(webhook_error::bad_secret, bad_secret_message(d));
    }
    auto v = verify_with(d.keys, headers, body, now, opts);
    wipe(d.keys);
    return v;
}

webhook_verification verify_webhook(const webhook_headers& headers, std::string_view body,
                                    std::span<const std::string> secrets, std::chrono::system_clock::time_point now)
{
    const webhook_verify_options opts;
    return verify_webhook(headers, body, secrets, now, opts);
}

webhook_verifier::webhook_verifier(std::span<const std::string> secrets) : webhook_verifier(secrets, {}) {}

webhook_verifier::webhook_verifier(std::span<const std::string> secrets, webhook_verify_options opts)
    : opts_(opts)
{
    decoded_keys d = decode_all(secrets);
    if (d.bad_index || d.keys.empty()) {
        wipe(d.keys);
        diagnostics diag;
        diag.message = bad_secret_message(d);
        throw exception(webhook_error::bad_secret, std::move(diag));
    }
    keys_ = std::move(d.keys);
}

webhook_verifier::webhook_verifier(const webhook_verifier&) = default;
webhook_verifier& webhook_verifier::operator=(const webhook_verifier& other)
{
    if (this != &other) {
        wipe(keys_);
        keys_ = other.keys_;
        opts_ = other.opts_;
    }
    return *this;
}
webhook_verifier::webhook_verifier(webhook_verifier&&) noexcept = default;
webhook_verifier& webhook_verifier::operator=(webhook_verifier&& other) noexcept
{
    if (this != &other) {
        wipe(keys_);
        keys_ = std::move(other.keys_);
        opts_ = other.opts_;
    }
    return *this;
}
webhook_verifier::~webhook_verifier() { wipe(keys_); }

webhook_verification webhook_verifier::verify(const webhook_headers& headers, std::string_view body,
                                              std::chrono::system_clock::time_point now) const
{
    return verify_with(keys_, headers, body, now, opts_);
}

webhook_verification webhook_verifier::verify(const webhook_headers& headers, std::string_view body) const
{
    return verify(headers, body, std::chrono::system_clock::now());
}

} // namespace batchwire
