// The receiver for applications that serve HTTP themselves: verdicts, statuses, duplicates.

#include <batchwire/error.hpp>
#include <batchwire/webhook_receiver.hpp>
#include <batchwire/webhook_signer.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

using namespace batchwire;
using std::chrono::seconds;

namespace {

constexpr std::int64_t t0 = 1'700'000'000;
const std::string secret = "whsec_" "c2VjcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ==";

std::chrono::system_clock::time_point at(std::int64_t s) { return std::chrono::system_clock::time_point(seconds(s)); }

struct delivery {
    std::string id, ts, signature, body;
    webhook_headers headers() const
    {
        webhook_headers h;
        h.add("webhook-id", id);
        h.add("webhook-timestamp", ts);
        h.add("webhook-signature", signature);
        return h;
    }
};

delivery make(std::string id, std::string type = "batch.cancelled", std::int64_t ts = t0)
{
    delivery d;
    d.id = std::move(id);
    d.ts = std::to_string(ts);
    d.body = R"({"id":"evt_)" + d.id + R"(","type":")" + type + R"(","created_at":1700000000,"data":{"id":"batch_7"}})";
    d.signature = sign_webhook(secret, d.id, ts, d.body);
    return d;
}

webhook_receiver_options options()
{
    webhook_receiver_options o;
    o.secrets = {secret};
    o.duplicate_window = seconds(600);
    o.duplicate_capacity = 100;
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_receiver_tests)

BOOST_AUTO_TEST_CASE(verdict_statuses)
{
    struct row {
        std::optional<webhook_error> ec;
        bool duplicate;
        webhook_outcome outcome;
        unsigned status;
    };
    const row rows[] = {
        {{}, false, webhook_outcome::accepted, 200},
        {{}, true, webhook_outcome::duplicate, 200},
        {webhook_error::missing_header, false, webhook_outcome::refused, 400},
        {webhook_error::malformed_header, false, webhook_outcome::refused, 400},
        {webhook_error::stale_timestamp, false, webhook_outcome::refused, 400},
        {webhook_error::future_timestamp, false, webhook_outcome::refused, 400},
        {webhook_error::bad_signature, false, webhook_outcome::refused, 400},
        {webhook_error::malformed_body, false, webhook_outcome::refused, 400},
        {webhook_error::body_too_large, false, webhook_outcome::refused, 413},
        {webhook_error::bad_secret, false, webhook_outcome::refused, 500},
    };
    for (const auto& r : rows) {
        webhook_verification v;
        if (r.ec)
            v.ec = *r.ec;
        else
            v.event = webhook_event{};
        const auto verdict = make_webhook_verdict(std::move(v), r.duplicate);
        BOOST_TEST_CONTEXT("error " << (r.ec ? static_cast<int>(*r.ec) : 0) << " duplicate " << r.duplicate)
        {
            BOOST_TEST((verdict.outcome == r.outcome));
            BOOST_TEST(verdict.http_status == r.status);
            BOOST_TEST(verdict.event.has_value() == (r.outcome == webhook_outcome::accepted));
        }
    }
}

BOOST_AUTO_TEST_CASE(accepted_then_duplicate_then_new_after_the_window)
{
    webhook_receiver rx(options());
    const auto d = make("msg_1");
    auto v = rx.receive(d.headers(), d.body, at(t0));
    BOOST_TEST((v.outcome == webhook_outcome::accepted));
    BOOST_TEST(v.http_status == 200u);
    BOOST_REQUIRE(v.event.has_value());
    BOOST_TEST((v.event->type == webhook_event_type::batch_cancelled));
    BOOST_TEST(v.event->batch_id == "batch_7");

    // The sender retries (its 2xx got lost): same webhook-id, new timestamp and signature.
    const auto retry = make("msg_1", "batch.cancelled", t0 + 5);
    v = rx.receive(retry.headers(), retry.body, at(t0 + 5));
    BOOST_TEST((v.outcome == webhook_outcome::duplicate));
    BOOST_TEST(v.http_status == 200u);
    BOOST_TEST(!v.event.has_value());

    // A forgery with the same id is refused, and does not count as seen.
    auto forged = make("msg_2");
    forged.body[10] ^= 1;
    v = rx.receive(forged.headers(), forged.body, at(t0));
    BOOST_TEST((v.outcome == webhook_outcome::refused));
    BOOST_TEST(v.http_status == 400u);
    BOOST_TEST(v.ec == make_error_code(webhook_error::bad_signature));
    const auto real = make("msg_2");
    BOOST_TEST((rx.receive(real.headers(), real.body, at(t0)).outcome == webhook_outcome::accepted));

    // After the window, the id is new again.
    const auto late = make("msg_1", "batch.cancelled", t0 + 700);
    BOOST_TEST((rx.receive(late.headers(), late.body, at(t0 + 700)).outcome == webhook_outcome::accepted));

    const auto s = rx.stats();
    BOOST_TEST(s.accepted == 3u);
    BOOST_TEST(s.duplicates == 1u);
    BOOST_TEST(s.refused == 1u);
}

BOOST_AUTO_TEST_CASE(stale_and_too_large)
{
    auto o = options();
    o.verify.max_body_bytes = 50;
    webhook_receiver rx(o);
    const auto d = make("msg_1");
    auto v = rx.receive(d.headers(), d.body, at(t0));
    BOOST_TEST(v.http_status == 413u);
    BOOST_TEST(v.ec == make_error_code(webhook_error::body_too_large));
    webhook_receiver rx2(options());
    v = rx2.receive(d.headers(), d.body, at(t0 + 301));
    BOOST_TEST(v.http_status == 400u);
    BOOST_TEST(v.ec == make_error_code(webhook_error::stale_timestamp));
    BOOST_TEST(v.message.find("300 s") != std::string::npos);
    BOOST_TEST(v.message.find(secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_secret_is_a_configuration_error)
{
    webhook_receiver_options o;
    BOOST_CHECK_THROW(webhook_receiver{o}, exception);
    o.secrets = {"whsec_%%%"};
    BOOST_CHECK_THROW(webhook_receiver{o}, exception);
}

BOOST_AUTO_TEST_CASE(options_from_the_environment)
{
    ::setenv("OPENAI_WEBHOOK_SECRET", secret.c_str(), 1);
    auto o = webhook_receiver_options::from_env();
    BOOST_TEST(o.secrets == std::vector<std::string>{secret});
    ::setenv("OPENAI_WEBHOOK_SECRET", "", 1);
    BOOST_TEST(webhook_receiver_options::from_env().secrets.empty());
    ::unsetenv("OPENAI_WEBHOOK_SECRET");
    BOOST_TEST(webhook_receiver_options::from_env().secrets.empty());
}

BOOST_AUTO_TEST_SUITE_END()
