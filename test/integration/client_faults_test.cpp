// The client's documented reaction to every fault the emulator can inject.

#include "emulator_fixture.hpp"
#include "../test_printing.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <thread>
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

// A plain-HTTP server on its own thread that answers every request with one batch, and
// that has forgotten the connections it kept alive: a second request on a connection is
// read, then the connection is closed without a response (a server that dropped its idle
// connections as the request crossed the close). The emulator's faults cannot make this
// deterministic: there the close comes first and the pool sees it on the idle connection.
// hold_first_answers(n) holds the answers to first requests until n first requests came in.
class forgetful_server {
public:
    forgetful_server()
    {
        batch b{.id = "batch_forgetful", .endpoint = "/v1/chat/completions", .input_file_id = "file-forgetful",
                .completion_window = "24h", .status = batch_status::in_progress, .status_text = "in_progress",
                .created_at = 1'700'000'000};
        body_ = boost::json::serialize(boost::json::value_from(b));
        asio::co_spawn(ctx_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ctx_.run(); });
    }
    ~forgetful_server()
    {
        ctx_.stop();
        thread_.join();
    }
    forgetful_server(const forgetful_server&) = delete;

    std::string base_url() const
    {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v1";
    }
    std::size_t accepted() const { return accepted_.load(); }
    std::size_t dropped() const { return dropped_.load(); } // requests closed on, unanswered
    void hold_first_answers(std::size_t n) { hold_until_ = n; }

private:
    asio::awaitable<void> accept_loop()
    {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            ++accepted_;
            asio::co_spawn(ctx_, serve(std::move(socket)), asio::detached);
        }
    }
    asio::awaitable<void> serve(asio::ip::tcp::socket socket)
    {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (bool served = false;; served = true) {
            http::request<http::string_body> req;
            auto [rec, rn] = co_await http::async_read(socket, buffer, req, asio::as_tuple(asio::use_awaitable));
            if (rec)
                co_return; // the client closed it
            if (served) {
                ++dropped_; // counted before the client can see the close
                socket.close();
                co_return;
            }
            ++first_requests_;
            gate_.cancel();
            while (first_requests_ < hold_until_)
                co_await gate_.async_wait(asio::as_tuple(asio::use_awaitable));
            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "application/json");
            res.set("x-request-id", "req_forgetful");
            res.keep_alive(true);
            res.body() = body_;
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(socket, res, asio::as_tuple(asio::use_awaitable));
            if (wec)
                co_return;
        }
    }

    asio::io_context ctx_;
    asio::ip::tcp::acceptor acceptor_{ctx_, {asio::ip::address_v4::loopback(), 0}};
    std::string body_;
    std::atomic<std::size_t> accepted_{0}, dropped_{0}, hold_until_{0};
    std::size_t first_requests_ = 0; // server thread only
    asio::steady_timer gate_{ctx_, asio::steady_timer::time_point::max()};
    std::thread thread_;
};

using batchwire::test::run_to_completion;

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
    BOOST_TEST(ec2 == error::retry_after_too_long, describe(ec2, f.diag));
    BOOST_TEST(f.diag.attempts == 1u);
    BOOST_TEST(f.diag.retry_after.value().count() == 30000);
}

BOOST_AUTO_TEST_CASE(retry_after_of_an_hour_is_retry_after_too_long)
{
    // The default cap is 60 s: a 429 asking for an hour ends the call at once, as
    // retry_after_too_long with the asked delay and the 429's own details.
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::rate_limited, .retry_after_s = 3600});
    auto [ec, b] = f.retrieve(c);
    BOOST_TEST(ec == error::retry_after_too_long, describe(ec, f.diag));
    BOOST_TEST(f.diag.retry_after.value().count() == 3'600'000);
    BOOST_TEST(f.diag.http_status == 429u);
    BOOST_TEST(f.diag.code == "rate_limit_exceeded");
    BOOST_TEST(f.diag.attempts == 1u);
    BOOST_TEST(f.diag.message.find("3600000 ms") != std::string::npos, f.diag.message);
    BOOST_TEST(!f.diag.request_may_have_been_processed);
    BOOST_TEST(f.server->request_count(f.route) == 1u);

    // The same from retry-after-ms, and for a create (a 429 is a refusal: nothing was made).
    f.server->add_fault({.route = "POST /v1/batches", .count = 1, .kind = fault_kind::rate_limited,
                         .retry_after_ms = 120000});
    const auto file = f.server->put_file("in2.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    batch_create_params p;
    p.input_file_id = file.id;
    p.endpoint = "/v1/chat/completions";
    auto [ec2, b2] = f.run(c.async_create(p, f.diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec2 == error::retry_after_too_long, describe(ec2, f.diag));
    BOOST_TEST(f.diag.retry_after.value().count() == 120000);
    BOOST_TEST(f.diag.attempts == 1u);
}

BOOST_AUTO_TEST_CASE(cancel_of_an_ended_batch_spends_no_retry)
{
    batch_on_emulator f;
    client c(f.ctx, f.client_opts());
    const std::string cancel_route = "POST /v1/batches/{id}/cancel";
    f.run(c.cancel(f.id));
    f.server->advance(std::chrono::seconds(601)); // cancelling -> cancelled
    auto [ec, b] = f.run(c.async_cancel(f.id, f.diag, asio::as_tuple(asio::use_awaitable)));
    // The API answers 409 invalid_request_error ("Cannot cancel a batch with status
    // 'cancelled'."); older emulators 400. Either way: final, one attempt.
    BOOST_TEST((ec == error::conflict || ec == error::bad_request), describe(ec, f.diag));
    BOOST_TEST(f.diag.type == "invalid_request_error");
    BOOST_TEST(f.diag.attempts == 1u);
    BOOST_TEST(f.server->request_count(cancel_route) == 2u);

    // A 409 invalid_request_error to a cancel is final too when injected...
    const auto other = f.server->put_batch({.input_file_id = f.server->put_file("x.jsonl", "batch",
                                                                                  batchwire::test::make_input_jsonl(1)).id,
                                            .endpoint = "/v1/chat/completions"}).id;
    f.server->add_fault({.route = cancel_route, .count = 1, .kind = fault_kind::http_status, .status = 409});
    auto [ec2, b2] = f.run(c.async_cancel(other, f.diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec2 == error::conflict, describe(ec2, f.diag));
    BOOST_TEST(f.diag.attempts == 1u);
    // ...unless the server says to retry: then it is a conflict to wait out.
    f.server->add_fault({.route = cancel_route, .count = 1, .kind = fault_kind::http_status, .status = 409,
                         .should_retry = true});
    auto [ec3, b3] = f.run(c.async_cancel(other, f.diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec3, describe(ec3, f.diag));
    BOOST_TEST(b3.status == batch_status::cancelling);
    BOOST_TEST(f.diag.attempts == 2u);

    // A 409 to anything but a cancel is a lock conflict: retried as before.
    f.server->add_fault({.route = f.route, .count = 1, .kind = fault_kind::http_status, .status = 409});
    auto [ec4, b4] = f.retrieve(c);
    BOOST_TEST(!ec4, describe(ec4, f.diag));
    BOOST_TEST(f.diag.attempts == 2u);
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

BOOST_AUTO_TEST_CASE(create_answered_with_an_error_status_is_resent_only_when_safe)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    client c(f.ctx, f.client_opts());
    diagnostics diag;
    const std::string route = "POST /v1/batches";
    const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/chat/completions"};
    auto create = [&](request_options ro = {}) {
        return f.run(c.async_create(p, ro, diag, asio::as_tuple(asio::use_awaitable)));
    };

    // A 500 may have come after the batch was made: returned at once, never resent.
    f.server->add_fault({.route = route, .count = 1, .kind = fault_kind::http_status, .status = 500});
    auto [ec, b] = create();
    BOOST_TEST(ec == error::server_error, describe(ec, diag));
    BOOST_TEST(diag.http_status == 500u);
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(diag.request_id.starts_with("req_"));
    BOOST_TEST(diag.request_may_have_been_processed);
    BOOST_TEST(f.server->request_count(route) == 1u);

    // A 409 is not resent either (retryable for idempotent calls), but the server said no.
    f.server->add_fault({.route = route, .count = 1, .kind = fault_kind::http_status, .status = 409});
    auto [ec2, b2] = create();
    BOOST_TEST(ec2 == error::conflict, describe(ec2, diag));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(!diag.request_may_have_been_processed);
    BOOST_TEST(f.server->request_count(route) == 2u);

    // With an idempotency key the server deduplicates: resent, and it succeeds.
    f.server->add_fault({.route = route, .count = 1, .kind = fault_kind::http_status, .status = 500});
    auto [ec3, b3] = create({.idempotency_key = "k-500"});
    BOOST_TEST(!ec3, describe(ec3, diag));
    BOOST_TEST(diag.attempts == 2u);
    BOOST_TEST(!b3.id.empty());
    BOOST_TEST(f.server->request_count(route) == 4u);

    // x-should-retry: true is the server saying it did not act.
    f.server->add_fault(
        {.route = route, .count = 1, .kind = fault_kind::http_status, .status = 503, .should_retry = true});
    auto [ec4, b4] = create();
    BOOST_TEST(!ec4, describe(ec4, diag));
    BOOST_TEST(diag.attempts == 2u);
    BOOST_TEST(f.server->request_count(route) == 6u);
}

BOOST_AUTO_TEST_CASE(create_refused_by_the_rate_limit_is_resent)
{
    emulator_fixture f;
    auto file = f.server->put_file("in.jsonl", "batch", batchwire::test::make_input_jsonl(1));
    retry_log log;
    auto o = f.client_opts();
    o.logger = log.make();
    client c(f.ctx, o);
    diagnostics diag;
    const std::string route = "POST /v1/batches";
    const batch_create_params p{.input_file_id = file.id, .endpoint = "/v1/chat/completions"};

    // A 429 is a refusal: nothing was made, so it is resent after the asked delay.
    f.server->add_fault({.route = route, .count = 1, .kind = fault_kind::rate_limited, .retry_after_ms = 25});
    auto [ec, b] = f.run(c.async_create(p, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec, describe(ec, diag));
    BOOST_TEST(diag.attempts == 2u);
    BOOST_TEST(!b.id.empty());
    BOOST_TEST(f.server->request_count(route) == 2u);
    BOOST_REQUIRE(log.delays.size() == 1u);
    BOOST_TEST(log.delays[0].count() == 25);

    // ...but insufficient_quota never is.
    f.server->add_fault({.route = route, .count = 1, .kind = fault_kind::insufficient_quota});
    auto [ec2, b2] = f.run(c.async_create(p, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec2 == error::insufficient_quota, describe(ec2, diag));
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(f.server->request_count(route) == 3u);
}

BOOST_AUTO_TEST_CASE(a_dropped_keep_alive_connection_is_retried_on_a_fresh_one)
{
    using namespace asio::experimental::awaitable_operators;
    forgetful_server srv;
    asio::io_context ctx;
    client_options o;
    o.base_url = srv.base_url();
    o.api_key = "sk-forgetful";
    o.retry.initial_backoff = milliseconds(1);
    o.retry.max_backoff = milliseconds(4);
    client c(ctx, o);
    const std::string id = "batch_forgetful";

    // Three calls at once: three connections, then idle in the pool.
    run_to_completion(ctx, [&]() -> asio::awaitable<void> {
        co_await (c.retrieve(id) && c.retrieve(id) && c.retrieve(id));
    }());
    BOOST_TEST(c.stats().opened == 3u);
    BOOST_TEST(srv.accepted() == 3u);

    // The server drops the first idle connection under the request. The retry goes on a
    // fresh connection, not on the other two idle ones (as old, and as dead): they are
    // closed unused. Not counted as an attempt.
    diagnostics diag;
    response_metadata meta;
    auto [ec, b] = run_to_completion(ctx, c.async_retrieve(id, {.metadata = &meta}, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec, describe(ec, diag));
    BOOST_TEST(b.id == id);
    BOOST_TEST(diag.attempts == 1u);
    BOOST_TEST(meta.attempts == 1u);
    BOOST_TEST(srv.dropped() == 1u);
    BOOST_TEST(srv.accepted() == 4u);
    const auto s = c.stats();
    BOOST_TEST(s.opened == 4u);
    BOOST_TEST(s.reused == 1u);
    BOOST_TEST(s.closed == 3u); // the dropped one and the two idle ones
    BOOST_TEST(s.stale == 0u);

    // The fresh connection is kept alive and reused (and dropped in turn, then replaced).
    auto [ec2, b2] = run_to_completion(ctx, c.async_retrieve(id, {.metadata = &meta}, diag, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(!ec2, describe(ec2, diag));
    BOOST_TEST(meta.attempts == 1u);
    BOOST_TEST(c.stats().opened == 5u);
    BOOST_TEST(srv.dropped() == 2u);
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

BOOST_AUTO_TEST_CASE(a_fresh_retry_waits_its_turn_in_a_full_pool)
{
    forgetful_server srv;
    asio::io_context ctx;
    client_options o;
    o.base_url = srv.base_url();
    o.api_key = "sk-forgetful";
    o.pool.max_size = 2;
    client c(ctx, o);
    const std::string id = "batch_forgetful";
    BOOST_TEST(run_to_completion(ctx, c.retrieve(id)).id == id); // one idle connection

    // Three calls at once: A takes the idle connection, B opens the second, C waits. The
    // server drops A's: C takes its place, A waits (fresh) behind it. The server answers B
    // and C only once C's request is in, so A is waiting when B returns its connection:
    // that one is closed and A gets a new one in its place, within max_size.
    srv.hold_first_answers(3);
    std::array<diagnostics, 3> diag;
    std::array<boost::system::error_code, 3> ec;
    auto call = [&](std::size_t i) -> asio::awaitable<void> {
        auto [e, b] = co_await c.async_retrieve(id, diag[i], asio::as_tuple(asio::use_awaitable));
        ec[i] = e;
    };
    run_to_completion(ctx, [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        co_await (call(0) && call(1) && call(2));
    }());
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(!ec[i], describe(ec[i], diag[i]));
        BOOST_TEST(diag[i].attempts == 1u);
    }
    BOOST_TEST(srv.dropped() == 1u);
    BOOST_TEST(srv.accepted() == 4u);
    const auto s = c.stats();
    BOOST_TEST(s.opened == 4u);
    BOOST_TEST(s.reused == 1u);
    BOOST_TEST(s.closed == 2u); // the dropped one, and the one that made way for A
    BOOST_TEST(s.stale == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
