// Webhook deliveries: verification (Standard Webhooks signatures, timestamps, secrets) and
// the event parsing behind it. The input reads like a request:
//   line 1              the configured secrets, separated by spaces (rotation)
//   lines up to a blank  header fields "name: value" (only the webhook-* ones are picked)
//   the rest            the body
// "Now" is fixed at 1700000000, so a seed's webhook-timestamp of that value is fresh.
// Properties:
//   - only typed results: a webhook_error with a message, or an event; no exception escapes
//     (the verifier's constructor throws batchwire::exception for a bad secret, nothing else);
//   - verify_webhook and webhook_verifier agree;
//   - the body signed by sign_webhook with the last secret verifies, and gives the event that
//     parsing the body gives (or that parse's malformed_body);
//   - one changed byte of that signed body, or of its signature header, is refused (base64 is
//     read canonically: a MAC has one spelling);
//   - no message holds a secret, nor a decoded key (unless the request itself holds it).

#include "fuzz_check.hpp"

#include "webhook_event_json.hpp"
#include "webhook_secret.hpp"

#include <batchwire/error.hpp>
#include <batchwire/webhook_signer.hpp>
#include <batchwire/webhook_verifier.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using batchwire::fuzz::check;
using batchwire::webhook_error;

constexpr std::int64_t now_s = 1700000000;
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(now_s));

struct delivery {
    std::vector<std::string> secrets;
    // Views into the input: a name may end the fuzzer's buffer, which is how Beast 1.81's
    // over-reading iequals was found (seed regression-iequals-overread).
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    std::string_view request; // headers and body: what a sender controls
    std::string_view body;
};

delivery split(std::string_view in)
{
    delivery d;
    const std::size_t eol = in.find('\n');
    std::string_view secrets = in.substr(0, eol);
    in = eol == std::string_view::npos ? std::string_view{} : in.substr(eol + 1);
    for (;;) {
        const std::size_t sp = secrets.find(' ');
        d.secrets.emplace_back(secrets.substr(0, sp));
        if (sp == std::string_view::npos)
            break;
        secrets.remove_prefix(sp + 1);
    }
    d.request = in;
    while (!in.empty()) {
        const std::size_t nl = in.find('\n');
        const std::string_view line = in.substr(0, nl);
        in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
        if (line.empty())
            break;
        const std::size_t colon = line.find(':');
        const std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
        d.fields.emplace_back(line.substr(0, colon), value.starts_with(' ') ? value.substr(1) : value);
    }
    d.body = in;
    return d;
}

// A text that the fixed wording of a message could spell by chance: letters, digits and the
// punctuation messages use ("signature" is a valid secret, and in a message).
bool could_be_wording(std::string_view s)
{
    const auto wording = [](unsigned char c) {
        return std::isalnum(c) || std::string_view(" .,\"#_-:()'").find(static_cast<char>(c)) != std::string_view::npos;
    };
    return std::all_of(s.begin(), s.end(), wording);
}

// The secrets and decoded keys that a message must not hold: those long enough and unusual
// enough to be told apart from a message's wording, and not already in what the sender wrote.
std::vector<std::string> secret_texts(const delivery& d)
{
    std::vector<std::string> out;
    const auto add = [&](std::string s) {
        if (s.size() >= 8 && !could_be_wording(s) && d.request.find(s) == std::string_view::npos)
            out.push_back(std::move(s));
    };
    for (const auto& s : d.secrets) {
        add(s);
        if (auto key = batchwire::detail::decode_webhook_secret(s))
            add(std::move(*key));
    }
    return out;
}

void check_no_secret(std::string_view message, const std::vector<std::string>& secrets)
{
    for (const auto& s : secrets)
        check(message.find(s) == std::string_view::npos, "no message holds a secret");
}

void check_typed(const batchwire::webhook_verification& v, const std::vector<std::string>& secrets)
{
    check(v.event.has_value() == !v.ec, "an event exactly when verified");
    if (v.ec) {
        check(v.ec.category() == batchwire::webhook_error_category(), "a refusal is a webhook_error");
        check(!v.message.empty(), "a refusal says why");
        check_no_secret(v.message, secrets);
    }
}

bool same_event(const batchwire::webhook_event& a, const batchwire::webhook_event& b)
{
    return a.id == b.id && a.type == b.type && a.type_name == b.type_name && a.created_at == b.created_at &&
           a.batch_id == b.batch_id && a.payload == b.payload && a.webhook_id == b.webhook_id &&
           a.webhook_timestamp == b.webhook_timestamp;
}

bool same_result(const batchwire::webhook_verification& a, const batchwire::webhook_verification& b)
{
    return a.ec == b.ec && a.message == b.message && a.event.has_value() == b.event.has_value() &&
           (!a.event || same_event(*a.event, *b.event));
}

// verify_webhook, checked against webhook_verifier with the same secrets.
batchwire::webhook_verification verify(const batchwire::webhook_headers& h, std::string_view body,
                                       const std::vector<std::string>& secrets, const std::vector<std::string>& hidden)
{
    auto v = batchwire::verify_webhook(h, body, secrets, now);
    check_typed(v, hidden);
    try {
        const batchwire::webhook_verifier verifier(secrets);
        check(same_result(v, verifier.verify(h, body, now)), "verify_webhook and webhook_verifier agree");
    } catch (const batchwire::exception& e) {
        check(e.code() == webhook_error::bad_secret && v.ec == webhook_error::bad_secret,
              "the verifier refuses exactly the secrets verify_webhook refuses");
        check_no_secret(e.get_diagnostics().message, hidden);
    }
    return v;
}

std::uint64_t fnv1a(std::string_view s)
{
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : s)
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return h;
}

// The body signed with the last secret, then one byte of it or of the signature changed.
void check_signed(const delivery& d, const std::vector<std::string>& hidden, std::uint64_t choice)
{
    std::string id = "msg_fuzz";
    for (const auto& [name, value] : d.fields)
        if (name == "webhook-id" && !value.empty() && value.find_first_of(" \t") == std::string_view::npos)
            id = value;
    std::string signature;
    try {
        signature = batchwire::sign_webhook(d.secrets.back(), id, now_s, d.body);
    } catch (const batchwire::exception& e) {
        check(e.code() == webhook_error::bad_secret, "the signer refuses only a bad secret");
        check_no_secret(e.get_diagnostics().message, hidden);
        return;
    }
    const std::string timestamp = std::to_string(now_s);
    const auto headers_with = [&](std::string_view sig) {
        batchwire::webhook_headers h;
        h.add("webhook-id", id);
        h.add("webhook-timestamp", timestamp);
        h.add("webhook-signature", sig);
        return h;
    };
    const auto v = verify(headers_with(signature), d.body, d.secrets, hidden);
    if (v.ec == webhook_error::bad_secret)
        return; // an earlier secret is bad: nothing is verified with this configuration
    boost::system::error_code pec;
    std::string why;
    auto expected = batchwire::detail::parse_webhook_event(d.body, batchwire::webhook_verify_options{}.max_json_depth, pec, why);
    if (pec) {
        check(v.ec == webhook_error::malformed_body, "a signed body that is not an event is malformed_body");
    } else {
        expected.webhook_id = id;
        expected.webhook_timestamp = now_s;
        check(!v.ec && same_event(*v.event, expected), "a signed event verifies and is the event of its body");
    }

    const auto flip = static_cast<char>(1 + (choice >> 32) % 255);
    if (!d.body.empty()) {
        std::string changed(d.body);
        changed[choice % changed.size()] ^= flip;
        const auto c = verify(headers_with(signature), changed, d.secrets, hidden);
        check(c.ec == webhook_error::bad_signature, "a signed body with one byte changed is refused");
    }
    std::string changed_signature = signature;
    changed_signature[(choice >> 8) % changed_signature.size()] ^= flip;
    const auto c = verify(headers_with(changed_signature), d.body, d.secrets, hidden);
    if (!c.ec) {
        std::fprintf(stderr, "signed: %s\nchanged: %s\n", signature.c_str(), changed_signature.c_str());
        check(false, "a signature with one byte changed is refused");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const delivery d = split(in);
    const auto hidden = secret_texts(d);

    batchwire::webhook_headers h;
    for (const auto& [name, value] : d.fields)
        h.add(name, value);
    const auto v = verify(h, d.body, d.secrets, hidden);
    if (v.event) {
        boost::system::error_code pec;
        std::string why;
        const auto parsed = batchwire::detail::parse_webhook_event(d.body, batchwire::webhook_verify_options{}.max_json_depth, pec, why);
        check(!pec && parsed.id == v.event->id && parsed.payload == v.event->payload,
              "a verified delivery carries the event of its body");
    }
    check_signed(d, hidden, fnv1a(in));
    return 0;
}
