// The webhook verifier: the Standard Webhooks test vector, every refusal reason, key
// rotation on both sides, the tolerance edges and malformed headers.

#include <batchwire/error.hpp>
#include <batchwire/webhook_signer.hpp>
#include <batchwire/webhook_verifier.hpp>

#include "../../src/webhook_signature.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace batchwire;
using std::chrono::seconds;

namespace {

// The test vector of the Standard Webhooks specification.
const std::string spec_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string spec_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::string spec_ts = "1614265330";
const std::string spec_body = R"({"test": 2432232314})";
const std::string spec_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

constexpr std::int64_t t0 = 1'700'000'000;
const std::string secret = "whsec_" "c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ=="; // "secret-key-for-tests-0123456789"
const std::string other_secret = "whsec_" "b3RoZXIta2V5LWZvci10ZXN0cw=="; // "other-key-for-tests"
const std::string event_body =
    R"({"id":"evt_1","object":"event","type":"batch.completed","created_at":1700000000,"data":{"id":"batch_1"}})";

std::chrono::system_clock::time_point at(std::int64_t s) { return std::chrono::system_clock::time_point(seconds(s)); }

struct delivery {
    std::string id = "msg_1";
    std::string ts = std::to_string(t0);
    std::string signature;
    std::string body = event_body;

    webhook_headers headers() const
    {
        webhook_headers h;
        h.add("webhook-id", id);
        h.add("webhook-timestamp", ts);
        h.add("webhook-signature", signature);
        return h;
    }
};

delivery signed_delivery(const std::string& with = secret)
{
    delivery d;
    d.signature = sign_webhook(with, d.id, t0, d.body);
    return d;
}

webhook_verification verify(const delivery& d, std::int64_t now = t0, std::vector<std::string> secrets = {secret})
{
    return verify_webhook(d.headers(), d.body, secrets, at(now));
}

boost::system::error_code code(webhook_error e) { return make_error_code(e); }


// The same base64 digit with its lowest bit flipped: for the last digit of a 32-byte value
// that bit is unused (43 digits carry 258 bits), so it decodes to the same bytes.
std::string unused_bits_set(char digit)
{
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    return std::string(1, alphabet[alphabet.find(digit) ^ 1u]);
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_verifier_tests)

BOOST_AUTO_TEST_CASE(the_specification_test_vector)
{
    // The signature itself, independently of event parsing.
    BOOST_TEST(sign_webhook(spec_secret, spec_id, 1614265330, spec_body) == spec_signature);

    webhook_headers h;
    h.add("webhook-id", spec_id);
    h.add("webhook-timestamp", spec_ts);
    h.add("webhook-signature", spec_signature);
    const std::vector<std::string> secrets{spec_secret};
    // The vector's body is not an event: the signature passes, then the body is refused.
    const auto v = verify_webhook(h, spec_body, secrets, at(1614265330));
    BOOST_TEST(v.ec == code(webhook_error::malformed_body));

    // One byte changed anywhere breaks it.
    const auto tampered_body = verify_webhook(h, R"({"test": 2432232315})", secrets, at(1614265330));
    BOOST_TEST(tampered_body.ec == code(webhook_error::bad_signature));
    webhook_headers other_id = h;
    other_id.id = "msg_p5jXN8AQM9LWM0D4loKWxJeK";
    BOOST_TEST(verify_webhook(other_id, spec_body, secrets, at(1614265330)).ec == code(webhook_error::bad_signature));
}

BOOST_AUTO_TEST_CASE(a_signed_event_is_verified_and_typed)
{
    const auto d = signed_delivery();
    const auto v = verify(d);
    BOOST_TEST(!v.ec);
    BOOST_TEST(v.message.empty());
    BOOST_REQUIRE(v.event.has_value());
    BOOST_TEST(v.event->id == "evt_1");
    BOOST_TEST((v.event->type == webhook_event_type::batch_completed));
    BOOST_TEST(v.event->type_name == "batch.completed");
    BOOST_TEST(v.event->batch_id == "batch_1");
    BOOST_TEST(v.event->created_at == 1'700'000'000);
    BOOST_TEST(v.event->webhook_id == "msg_1");
    BOOST_TEST(v.event->webhook_timestamp == t0);
    BOOST_TEST(v.event->payload.at("object").as_string() == "event");
}

BOOST_AUTO_TEST_CASE(tolerance_edges_in_both_directions)
{
    const auto d = signed_delivery();
    struct row {
        std::int64_t now;
        std::optional<webhook_error> expected;
    };
    const row rows[] = {
        {t0, {}},
        {t0 + 300, {}},                               // exactly 300 s old: accepted
        {t0 + 301, webhook_error::stale_timestamp},   // 301 s old
        {t0 - 300, {}},                               // exactly 300 s ahead of us
        {t0 - 301, webhook_error::future_timestamp},
        {t0 + 86400 * 3, webhook_error::stale_timestamp}, // a replay days later
        {0, webhook_error::future_timestamp},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("now = t0 + " << r.now - t0)
        {
            const auto v = verify(d, r.now);
            BOOST_TEST(v.ec == (r.expected ? code(*r.expected) : boost::system::error_code{}));
            BOOST_TEST(v.event.has_value() == !r.expected);
        }
    }
    // Sub-second now counts whole seconds: 300.9 s later is still 300.
    const auto late = at(t0 + 300) + std::chrono::milliseconds(900);
    BOOST_TEST(!verify_webhook(d.headers(), d.body, std::vector<std::string>{secret}, late).ec);
    // A tolerance set by the application.
    webhook_verify_options opts;
    opts.tolerance = seconds(0);
    BOOST_TEST(!verify_webhook(d.headers(), d.body, std::vector<std::string>{secret}, at(t0), opts).ec);
    BOOST_TEST(verify_webhook(d.headers(), d.body, std::vector<std::string>{secret}, at(t0 + 1), opts).ec ==
               code(webhook_error::stale_timestamp));
}

BOOST_AUTO_TEST_CASE(malformed_timestamps)
{
    for (const std::string ts : {"", "abc", "-1614265330", "+1700000000", "1700000000.5", "1e9", "17 00000000",
                                 "99999999999999999999999", "0x65", " "}) {
        BOOST_TEST_CONTEXT("timestamp '" << ts << "'")
        {
            auto d = signed_delivery();
            d.ts = ts;
            BOOST_TEST(verify(d).ec == code(webhook_error::malformed_header));
        }
    }
    // Huge but representable: far in the future, not malformed.
    auto d = signed_delivery();
    d.ts = "9223372036854775807";
    BOOST_TEST(verify(d).ec == code(webhook_error::future_timestamp));
    d.ts = "0";
    BOOST_TEST(verify(d).ec == code(webhook_error::stale_timestamp));
}

BOOST_AUTO_TEST_CASE(missing_repeated_and_empty_headers)
{
    const auto d = signed_delivery();
    const std::vector<std::string> secrets{secret};
    for (int missing = 0; missing < 3; ++missing) {
        webhook_headers h = d.headers();
        (missing == 0 ? h.id : missing == 1 ? h.timestamp : h.signature).reset();
        const auto v = verify_webhook(h, d.body, secrets, at(t0));
        BOOST_TEST(v.ec == code(webhook_error::missing_header));
        BOOST_TEST(v.message.find(missing == 0 ? "webhook-id" : missing == 1 ? "webhook-timestamp"
                                                                             : "webhook-signature") !=
                   std::string::npos);
    }
    webhook_headers twice = d.headers();
    twice.add("Webhook-Signature", d.signature);
    BOOST_TEST(verify_webhook(twice, d.body, secrets, at(t0)).ec == code(webhook_error::malformed_header));

    auto empty_id = d;
    empty_id.id = "";
    BOOST_TEST(verify(empty_id).ec == code(webhook_error::malformed_header));

    // Names are case-insensitive; other headers are ignored.
    webhook_headers mixed;
    mixed.add("WEBHOOK-ID", d.id);
    mixed.add("Content-Type", "application/json");
    mixed.add("Webhook-Timestamp", d.ts);
    mixed.add("webhook-SIGNATURE", d.signature);
    BOOST_TEST(!verify_webhook(mixed, d.body, secrets, at(t0)).ec);
}

BOOST_AUTO_TEST_CASE(signature_lists)
{
    const auto good = signed_delivery();
    const auto forged = signed_delivery(other_secret).signature;
    struct row {
        std::string header;
        std::optional<webhook_error> expected;
    };
    const std::string ok = good.signature;
    const std::string b64 = ok.substr(3);
    const row rows[] = {
        {ok, {}},
        {forged, webhook_error::bad_signature},
        {forged + " " + ok, {}},                       // rotation: the second entry matches
        {ok + " " + forged, {}},
        {"v2," + b64, webhook_error::bad_signature},     // only unknown versions
        {"v1a,abc " + ok, {}},                           // unknown versions are skipped
        {"  " + ok + "   ", {}},                         // spaces around and between
        {forged + "    " + ok, {}},
        {"v1," + b64.substr(0, 20), webhook_error::bad_signature}, // truncated
        {"v1,!!!!" + b64, webhook_error::bad_signature},  // not base64
        {"v1," + b64 + "AAAA", webhook_error::bad_signature}, // 35 bytes
        {"v1", webhook_error::malformed_header},          // no comma
        {b64, webhook_error::malformed_header},
        {"", webhook_error::malformed_header},
        {"   ", webhook_error::malformed_header},
        {"V1," + b64, webhook_error::bad_signature},      // versions are case-sensitive
        // Other spellings of the same 32 bytes: only the canonical one verifies.
        {"v1," + b64.substr(0, 43), webhook_error::bad_signature},                     // padding left out
        {"v1," + b64.substr(0, 43) + " ", webhook_error::bad_signature},               // '=' turned blank
        {"v1," + b64.substr(0, 42) + unused_bits_set(b64[42]) + "=", webhook_error::bad_signature},
        {"v1," + b64 + "=", webhook_error::bad_signature},                             // excess '='
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("webhook-signature '" << r.header << "'")
        {
            auto d = good;
            d.signature = r.header;
            BOOST_TEST(verify(d).ec == (r.expected ? code(*r.expected) : boost::system::error_code{}));
        }
    }
    // 100 signatures, the good one last.
    auto many = good;
    many.signature.clear();
    for (int i = 0; i < 99; ++i)
        many.signature += forged + " ";
    many.signature += ok;
    BOOST_TEST(!verify(many).ec);
    many.signature = many.signature.substr(0, many.signature.size() - ok.size());
    BOOST_TEST(verify(many).ec == code(webhook_error::bad_signature));
}

BOOST_AUTO_TEST_CASE(several_secrets_and_bad_secrets)
{
    const auto d = signed_delivery(other_secret);
    BOOST_TEST(verify(d, t0, {secret}).ec == code(webhook_error::bad_signature));
    BOOST_TEST(!verify(d, t0, {secret, other_secret}).ec);
    BOOST_TEST(!verify(d, t0, {other_secret, secret}).ec);

    // A secret without the prefix is used as raw bytes.
    const auto raw = signed_delivery("plain-text-secret");
    BOOST_TEST(!verify(raw, t0, {"plain-text-secret"}).ec);
    BOOST_TEST(sign_webhook("whsec_" "cGxhaW4tdGV4dC1zZWNyZXQ=", "msg_1", t0, event_body) == raw.signature);

    for (const std::string bad : {"", "whsec_", "whsec_not base64!", "whsec_QQ=Q", "whsec_Q"}) {
        BOOST_TEST_CONTEXT("secret '" << bad << "'")
        {
            const auto v = verify(d, t0, {secret, bad});
            BOOST_TEST(v.ec == code(webhook_error::bad_secret));
            BOOST_TEST(v.message.find("#2") != std::string::npos);
            if (bad.size() > 6) // beyond the prefix, which the message names
                BOOST_TEST(v.message.find(bad) == std::string::npos);
            const std::vector<std::string> secrets{bad};
            BOOST_CHECK_THROW(webhook_verifier{secrets}, exception);
            BOOST_CHECK_THROW(sign_webhook(bad, "msg", t0, "{}"), exception);
        }
    }
    BOOST_TEST(verify(d, t0, {}).ec == code(webhook_error::bad_secret));
    BOOST_CHECK_THROW(webhook_verifier{std::vector<std::string>{}}, exception);
}

BOOST_AUTO_TEST_CASE(the_verifier_class_agrees_with_the_function)
{
    const std::vector<std::string> secrets{other_secret, secret};
    const webhook_verifier verifier(secrets);
    const auto d = signed_delivery();
    BOOST_TEST(!verifier.verify(d.headers(), d.body, at(t0)).ec);
    BOOST_TEST(verifier.verify(d.headers(), d.body, at(t0 + 301)).ec == code(webhook_error::stale_timestamp));
    // Copies and moves keep the keys.
    webhook_verifier copy = verifier;
    webhook_verifier moved = std::move(copy);
    BOOST_TEST(!moved.verify(d.headers(), d.body, at(t0)).ec);
    // The bad secret's error never holds it.
    try {
        const std::vector<std::string> bad{"whsec_s3cr3t?"};
        webhook_verifier v(bad);
        BOOST_FAIL("no exception");
    } catch (const exception& e) {
        BOOST_TEST(e.code() == code(webhook_error::bad_secret));
        BOOST_TEST(std::string(e.what()).find("s3cr3t") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(body_checks_come_after_the_signature)
{
    struct row {
        std::string body;
        std::optional<webhook_error> expected;
    };
    const row rows[] = {
        {"", webhook_error::malformed_body},
        {"not json", webhook_error::malformed_body},
        {"[1,2]", webhook_error::malformed_body},
        {std::string(100, '[') + std::string(100, ']'), webhook_error::malformed_body}, // too deep
        {R"({"type":"batch.completed","created_at":1,"data":{"id":"b"}})", webhook_error::malformed_body}, // no id
        {R"({"id":"e","created_at":1,"data":{"id":"b"}})", webhook_error::malformed_body},                // no type
        {R"({"id":"e","type":"batch.failed","data":{"id":"b"}})", webhook_error::malformed_body},        // no created_at
        {R"({"id":"e","type":"batch.failed","created_at":"1","data":{"id":"b"}})", webhook_error::malformed_body},
        {R"({"id":"e","type":"batch.failed","created_at":1.5,"data":{"id":"b"}})", webhook_error::malformed_body},
        {R"({"id":"e","type":"batch.failed","created_at":1})", webhook_error::malformed_body},      // no data.id
        {R"({"id":"e","type":"batch.failed","created_at":1,"data":{"id":7}})", webhook_error::malformed_body},
        {R"({"id":"e","object":"list","type":"batch.failed","created_at":1,"data":{"id":"b"}})",
         webhook_error::malformed_body},
        {R"({"id":"e","type":"batch.failed","created_at":1,"data":{"id":"b"}})", {}}, // object may be absent
        {R"({"id":"e","type":"response.completed","created_at":1})", {}}, // unknown types need no data.id
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("body " << r.body.substr(0, 80))
        {
            delivery d;
            d.body = r.body;
            d.signature = sign_webhook(secret, d.id, t0, d.body);
            const auto v = verify(d);
            BOOST_TEST(v.ec == (r.expected ? code(*r.expected) : boost::system::error_code{}));
            if (r.expected)
                BOOST_TEST(v.message.find("not a valid event") != std::string::npos);
        }
    }
    // An unsigned malformed body is a bad signature: nothing reads a body before its signature matched.
    delivery d;
    d.body = "not json";
    d.signature = sign_webhook(secret, d.id, t0, "other");
    BOOST_TEST(verify(d).ec == code(webhook_error::bad_signature));
}

BOOST_AUTO_TEST_CASE(body_size_limit)
{
    delivery d;
    d.body = R"({"id":"e","type":"x.y","created_at":1,"pad":")" + std::string(1000, 'a') + "\"}";
    d.signature = sign_webhook(secret, d.id, t0, d.body);
    webhook_verify_options opts;
    opts.max_body_bytes = d.body.size();
    const std::vector<std::string> secrets{secret};
    BOOST_TEST(!verify_webhook(d.headers(), d.body, secrets, at(t0), opts).ec);
    opts.max_body_bytes = d.body.size() - 1;
    BOOST_TEST(verify_webhook(d.headers(), d.body, secrets, at(t0), opts).ec == code(webhook_error::body_too_large));
}

BOOST_AUTO_TEST_CASE(constant_time_match_of_any_listed)
{
    detail::webhook_mac a{}, b{};
    b[31] = 1;
    BOOST_TEST(detail::any_signature_matches(a, {b, a}));
    BOOST_TEST(!detail::any_signature_matches(a, {b}));
    BOOST_TEST(!detail::any_signature_matches(a, {}));
}

BOOST_AUTO_TEST_CASE(error_messages_name_the_check)
{
    for (int e = 1; e <= static_cast<int>(webhook_error::malformed_body); ++e)
        BOOST_TEST(!make_error_code(static_cast<webhook_error>(e)).message().empty());
    BOOST_TEST(webhook_error_category().name() == std::string("batchwire.webhook"));
    BOOST_TEST(make_error_code(webhook_error::bad_signature) != make_error_code(error::invalid_argument));
}

BOOST_AUTO_TEST_SUITE_END()
