// The client's documented reaction to every fault the emulator can inject.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/test/unit_test.hpp>

#include <mutex>
#include <vector>

namespace asio = boost::asio;
using namespace batchwire;
using batchwire::test::emulator_fixture;
using emulator::fault_kind;
using emulator::fault_rule;
using std::chrono::milliseconds;

namespace {

// A logger that keeps the retry events (their delay and reason).
struct retry_log {
    std::mutex m;
    std::vector<log_event_kind> kinds;
    std::vector<milliseconds> delays;
    logger make()
    {
        return [this](const log_event& e) {
            std::lock_guard lock(m);
            kinds.push_back(e.kind);
            if (e.kind == log_event_kind::retry_scheduled)
                delays.push_back(e.delay);
        };
    }
};

struct batch_on_emulator : emulator_fixture {
    batch_on_emulator()
    {
        auto file = server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(3));
        id = server->put_batch({.input_file_id = file.id, .endpoint = "/v1/chat/completions"}).id;
    }
    std::tuple<boost::system::error_code, batch> retrieve(client& c, request_options ro = {})
    {
        return run(c.async_retrieve(id, ro, diag, asio::as_tuple(asio::use_awaitable)));
    }
    std::string id;
    diagnostics diag;
    const std::string route = "GET /v1/batches/{id}";
};

} // namespace

BOOST_AUTO_TEST_SUITE(client_faults, *boost::unit_test::timeout(120))

BOOST_AUTO_TEST_CASE(retry_after_ms_is_honoured)
{
    batch_on_emulator f;
    retry_log log;
    auto o = f.client_opts();
    o.logger = log.make();
    client c(f.ctx, o);
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::rate_limited, .retry_after_ms = 35});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(!ec);
    BOOST_TEST(f.diag.attempts == 2u);
    BOOST_REQUIRE(log.delays.size() == 1u);
    BOOST_TEST(log.delays[0].count() == 35);
}

BOOST_AUTO_TEST_CASE(retry_after_seconds_is_honoured_and_capped)
{
    batch_on_emulator f;
    retry_log log;
    auto o = f.client_opts();
    o.logger = log.make();
    o.retry.max_retry_after = milliseconds(100);
    client c(f.ctx, o);
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::http_status, .status = 503,
                         .retry_after_s = 0.02});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(!ec);
    BOOST_REQUIRE(log.delays.size() == 1u);
    BOOST_TEST(log.delays[0].count() == 20);

    // Above the cap: not waited for; the error comes back at once with the asked delay.
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::rate_limited, .retry_after_s = 30});
    auto [ec2, b2] = f.retrieve(c);
    BOOST_TEST(ec2 == error::rate_limited);
    BOOST_TEST(f.diag.attempts == 1u);
    BOOST_TEST(f.diag.retry_after.value().count() == 30000);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_then_surfaced_with_request_id)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 3, .kind = fault_kind::http_status, .status = 502});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(ec == error::server_error);
    BOOST_TEST(f.diag.http_status == 502u);
    BOOST_TEST(f.diag.attempts == 3u); // 2 retries by default
    BOOST_TEST(f.diag.request_id.starts_with("req_"));
    BOOST_TEST(f.server->request_count(f.route) == 3u);

    // Two failures, then success within the default retries.
    f.server->add_fault({.route = f.route, .count = 2, .kind = fault_kind::http_status, .status = 500});
    auto [ec2, b2] = f.retrieve(c);
    BOOST_TEST(!ec2);
    BOOST_TEST(b2.id == f.id);

    // Per-request override of max retries.
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::http_status, .status = 500});
    auto [ec3, b3] = f.retrieve(c, {.max_retries = 0});
    BOOST_TEST(ec3 == error::server_error);
    BOOST_TEST(f.diag.attempts == 1u);
}

BOOST_AUTO_TEST_CASE(x_should_retry_false_is_respected)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault(
        {.route = f.route, .count = 1, .kind = fault_kind::http_status, .status = 503, .should_retry = false});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(ec == error::server_error);
    BOOST_TEST(f.diag.attempts == 1u);

    // ...and x-should-retry: true makes a 400 retryable.
    f.server->add_fault(
        {.route = f.route, .count = 1, .kind = fault_kind::http_status, .status = 400, .should_retry = true});
    auto [ec2, b2] = f.retrieve(c);
    BOOST_TEST(!ec2);
    BOOST_TEST(f.diag.attempts == 2u);
}

BOOST_AUTO_TEST_CASE(insufficient_quota_is_not_retried)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::insufficient_quota});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(ec == error::insufficient_quota);
    BOOST_TEST(f.diag.http_status == 429u);
    BOOST_TEST(f.diag.attempts == 1u);
}

BOOST_AUTO_TEST_CASE(keep_alive_close_is_recovered_without_a_retry)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    // The server closes each connection after answering: the idle connection is found closed.
    f.server->add_fault({.route = f.route, .count = 0, .kind = fault_kind::close_after_response});
    for (int i = 0; i < 5; ++i) {
        auto [ec, b] = f.retrieve(c);
        BOOST_TEST(!ec, describe(ec, f.diag));
        BOOST_TEST(f.diag.attempts == 1u);
    }
    BOOST_TEST(c.stats().opened == 5u);
}

BOOST_AUTO_TEST_CASE(mid_body_reset_and_truncation_are_retried_for_idempotent_calls)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::reset_mid_response});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(!ec, describe(ec, f.diag));
    BOOST_TEST(f.diag.attempts == 2u);
    BOOST_TEST(b.id == f.id);

    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::truncate_body});
    auto [ec2, b2] = f.retrieve(c);
    BOOST_TEST(!ec2, describe(ec2, f.diag));
    BOOST_TEST(f.diag.attempts == 2u);

    // Always reset: the transport error is surfaced after the retries.
    f.server->add_fault({.route = f.route, .count = 0, .kind = fault_kind::reset_mid_response});
    auto [ec3, b3] = f.retrieve(c);
    BOOST_TEST(ec3 == error::connection_lost, describe(ec3, f.diag));
    BOOST_TEST(f.diag.attempts == 3u);
}

BOOST_AUTO_TEST_CASE(create_is_not_resent_once_written)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    client c(f.ctx, f.client_opts());
    diagnostics diag;
    f.server->add_fault({.route = "POST /v1/batches", .count = 1, .kind = fault_kind::reset_mid_response});
    batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/chat/completions"};
    auto [ec, b] = f.run(c.async_create(p, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == error::connection_lost);
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(diag.request_may_have_been_processed);

    // With an idempotency key it may be resent.
    f.server->add_fault({.route = "POST /v1/batches", .count = 1, .kind = fault_kind::reset_mid_response});
    auto [ec2, b2] = f.run(c.async_create(p, {.idempotency_key = "k-1"}, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec2, describe(ec2, diag));
    BOOST_TEST(diag.attempts == 2u);
}

BOOST_AUTO_TEST_CASE(stalls_end_in_a_timeout)
{
    batch_on_emulator f;
    auto o = f.client_opts();
    o.attempt_timeout = milliseconds(150);
    o.retry.max_retries = 1;
    client c(f.ctx, o);
    f.server->add_fault({.route = f.route, .count = 0, .kind = fault_kind::stall_headers});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(ec == error::timeout, describe(ec, f.diag));
    BOOST_TEST(f.diag.attempts == 2u);
    f.server->clear_faults();

    f.server->add_fault({.route = f.route, .count = 0, .kind = fault_kind::stall_body});
    auto [ec2, b2] = f.retrieve(c);
    BOOST_TEST(ec2 == error::timeout, describe(ec2, f.diag));
    f.server->clear_faults();

    // An overall deadline shorter than the retries.
    f.server->add_fault({.route = f.route, .count = 0, .kind = fault_kind::stall_headers});
    auto [ec3, b3] = f.retrieve(c, {.max_retries = 10, .total_timeout = milliseconds(200)});
    BOOST_TEST((ec3 == error::deadline_exceeded || ec3 == error::timeout), describe(ec3, f.diag));
    f.server->clear_faults();
    auto [ec4, b4] = f.retrieve(c);
    BOOST_TEST(!ec4); // the client recovers
}

BOOST_AUTO_TEST_CASE(slow_drip_completes)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::slow_drip,
                         .drip_interval = milliseconds(1), .drip_bytes = 32});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(!ec);
    BOOST_TEST(b.id == f.id);
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_parse_error_with_the_request_id)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::malformed_json});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(ec == error::parse_error);
    BOOST_TEST(f.diag.request_id.starts_with("req_"));
    BOOST_TEST(!f.diag.message.empty());
}

BOOST_AUTO_TEST_CASE(wrong_content_type_error_page_is_kept_as_text)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::wrong_content_type, .status = 502});
    auto [ec, b] = f.retrieve(c, {.max_retries = 0});
    BOOST_TEST(ec == error::server_error);
    BOOST_TEST(f.diag.http_status == 502u);
    BOOST_TEST(!f.diag.body.empty());
}

BOOST_AUTO_TEST_SUITE_END()
