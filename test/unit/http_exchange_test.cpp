// The HTTP exchange over a beast::test::stream: a failure injected at every I/O step of a
// request write, a Content-Length read, a chunked read, a streamed download and a reuse of
// a kept-alive connection; each failure is a typed error, never returns the connection to
// the pool, and leads to the documented retry decision.

#include "../../src/attempt_decision.hpp"
#include "../../src/http_exchange.hpp"
#include "error_printing.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/_experimental/test/fail_count.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace batchwire;
using namespace batchwire::detail;
namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

const std::string batch_json = R"({"id":"batch_1","object":"batch","status":"cancelling"})";

std::string content_length_response(const std::string& body, unsigned status = 200)
{
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nx-request-id: req_1\r\n"
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string chunked_response(const std::vector<std::string>& chunks, unsigned status = 200)
{
    std::string s = "HTTP/1.1 " + std::to_string(status) + " X\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const auto& c : chunks) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", c.size());
        s += size;
        s += c + "\r\n";
    }
    return s + "0\r\n\r\n";
}

const std::string create_body = R"({"input_file_id":"file-1","endpoint":"/v1/chat/completions","completion_window":"24h"})";

outgoing_request get_request()
{
    outgoing_request r;
    r.bytes = "GET /v1/batches/batch_1 HTTP/1.1\r\nHost: api.example\r\nAccept: application/json\r\n\r\n";
    return r;
}

outgoing_request post_request()
{
    outgoing_request r;
    r.bytes = "POST /v1/batches HTTP/1.1\r\nHost: api.example\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(create_body.size()) + "\r\n\r\n" + create_body;
    return r;
}

// One connection: a test stream whose input is the server's bytes and whose writes go to
// a peer, with its read buffer kept across exchanges as a real connection's is.
struct test_connection {
    test_connection(asio::io_context& ctx, beast::test::fail_count& fc, const std::string& input)
        : stream(ctx, fc, input), peer(ctx)
    {
        stream.connect(peer);
        stream.read_size(7); // many small reads: many I/O steps
        peer.write_size(1000000);
        stream.write_size(11);
    }
    beast::test::stream stream;
    beast::test::stream peer;
    beast::flat_buffer buffer;
    exchange_chunk chunk{};
};

struct exchange_outcome {
    error_code ec;
    exchange_result result;
    std::string why;
};

exchange_outcome run_exchange(asio::io_context& ctx, test_connection& c, const outgoing_request& req,
                              const chunk_sink* sink = nullptr, response_limits limits = {})
{
    exchange_outcome out;
    bool done = false;
    asio::co_spawn(ctx, http_exchange(c.stream, c.buffer, c.chunk, req, out.result, limits, sink, out.why, [] {}),
                   [&](std::exception_ptr ep, error_code ec) {
                       BOOST_REQUIRE(!ep);
                       out.ec = ec;
                       done = true;
                   });
    ctx.restart();
    ctx.run();
    BOOST_REQUIRE(done);
    return out;
}

attempt_verdict decision_for(const exchange_outcome& o, bool reused, bool idempotent)
{
    attempt_facts f;
    f.ec = o.ec;
    f.reused_connection = reused;
    f.request_written = o.result.request_written;
    f.response_started = o.result.response_started;
    f.body_delivered = o.result.streamed_bytes > 0;
    f.idempotent = idempotent;
    f.max_retries = 2;
    f.jitter = 1.0;
    return decide_attempt(f, retry_options{});
}

// What every injected failure must give: the typed error, no reuse, and the decision that
// follows from how far the exchange got.
void check_failure(const exchange_outcome& o, bool reused, bool idempotent)
{
    BOOST_TEST(o.ec == error::connection_lost, o.ec.message());
    BOOST_TEST(!may_return_to_pool(o.ec, o.result));
    BOOST_TEST(!o.why.empty());
    const auto v = decision_for(o, reused, idempotent);
    if (reused && !o.result.response_started && (idempotent || !o.result.request_written)) {
        BOOST_TEST((v.action == attempt_action::resend_fresh));
    } else if ((o.result.request_written && !idempotent) || o.result.streamed_bytes > 0) {
        BOOST_TEST((v.action == attempt_action::fail));
        BOOST_TEST(v.request_may_have_been_processed == o.result.request_written);
    } else {
        BOOST_TEST((v.action == attempt_action::retry_after));
        BOOST_TEST(v.delay.count() == 500);
    }
}

// Fails step 0, 1, 2, ... of one exchange until it succeeds; returns the successful outcome
// and how many steps it took.
template <class Check>
void sweep(const std::string& input, const outgoing_request& req, bool idempotent, const chunk_sink* sink,
           Check&& on_success, std::size_t* steps_out = nullptr)
{
    for (std::size_t n = 0; n < 10000; ++n) {
        BOOST_TEST_CONTEXT("failure at I/O step " << n)
        {
            asio::io_context ctx;
            beast::test::fail_count fc(n);
            test_connection c(ctx, fc, input);
            const auto o = run_exchange(ctx, c, req, sink);
            if (!o.ec) {
                on_success(o, c);
                if (steps_out)
                    *steps_out = n;
                BOOST_TEST(n > 3u); // the sweep went through several steps
                return;
            }
            check_failure(o, false, idempotent);
        }
    }
    BOOST_FAIL("the exchange never succeeded");
}

} // namespace

BOOST_AUTO_TEST_SUITE(http_exchange_faults)

BOOST_AUTO_TEST_CASE(write_then_content_length_read)
{
    const auto req = get_request();
    sweep(content_length_response(batch_json), req, true, nullptr, [](const exchange_outcome& o, test_connection& c) {
        BOOST_TEST(o.result.status == 200u);
        BOOST_TEST(o.result.body == batch_json);
        BOOST_TEST(o.result.headers["x-request-id"] == "req_1");
        BOOST_TEST(may_return_to_pool(o.ec, o.result));
        BOOST_TEST(std::string(c.peer.str()).starts_with("GET /v1/batches/batch_1 HTTP/1.1\r\n"));
    });
}

BOOST_AUTO_TEST_CASE(write_of_a_create_then_read)
{
    // A create (not idempotent): a failure after it was written is final, before it a retry.
    const auto req = post_request();
    sweep(content_length_response(batch_json), req, false, nullptr, [&](const exchange_outcome& o, test_connection& c) {
        BOOST_TEST(o.result.status == 200u);
        BOOST_TEST(std::string(c.peer.str()) == req.bytes);
    });
}

BOOST_AUTO_TEST_CASE(chunked_read)
{
    const auto req = get_request();
    sweep(chunked_response({R"({"id":"batch_1",)", R"("object":"batch",)", R"("status":"cancelling"})"}), req, true,
          nullptr, [](const exchange_outcome& o, test_connection&) {
              BOOST_TEST(o.result.status == 200u);
              BOOST_TEST(o.result.body == batch_json);
              BOOST_TEST(may_return_to_pool(o.ec, o.result));
          });
}

BOOST_AUTO_TEST_CASE(streamed_download)
{
    const auto req = get_request();
    std::string file(40000, 'x');
    for (std::size_t i = 0; i < file.size(); ++i)
        file[i] = static_cast<char>('a' + i % 26);
    std::string received;
    const chunk_sink sink = [&](std::string_view chunk, error_code&) { received.append(chunk); };
    for (const auto& input : {content_length_response(file), chunked_response({file.substr(0, 20000), file.substr(20000)})}) {
        for (std::size_t n = 0;; ++n) {
            BOOST_TEST_CONTEXT("failure at I/O step " << n)
            {
                received.clear();
                asio::io_context ctx;
                beast::test::fail_count fc(n);
                test_connection c(ctx, fc, input);
                c.stream.read_size(4096);
                const auto o = run_exchange(ctx, c, req, &sink);
                BOOST_TEST(o.result.streamed_bytes == received.size());
                BOOST_TEST(file.starts_with(received)); // what reached the sink is a clean prefix
                if (!o.ec) {
                    BOOST_TEST(received == file);
                    BOOST_TEST(o.result.body.empty());
                    break;
                }
                check_failure(o, false, true);
            }
            BOOST_REQUIRE(n < 10000u);
        }
    }
}

BOOST_AUTO_TEST_CASE(sink_failure_ends_the_download)
{
    asio::io_context ctx;
    beast::test::fail_count fc(1000000);
    test_connection c(ctx, fc, content_length_response(std::string(40000, 'x')));
    const chunk_sink sink = [](std::string_view, error_code& ec) { ec = error::file_error; };
    const auto o = run_exchange(ctx, c, get_request(), &sink);
    BOOST_TEST(o.ec == error::file_error);
    BOOST_TEST(!may_return_to_pool(o.ec, o.result));
    BOOST_TEST((decision_for(o, false, true).action == attempt_action::fail)); // bytes were delivered
}

// Cancelled while no operation is pending (here: from inside the sink, between two reads),
// with the rest of the body never coming: the exchange stops before its next read instead
// of waiting for the stalled peer forever. Likewise cancelled before the request went out.
BOOST_AUTO_TEST_CASE(cancellation_between_two_reads_stops_the_exchange)
{
    const std::string response = content_length_response(std::string(4000, 'x'));
    for (const bool before_the_write : {false, true}) {
        BOOST_TEST_CONTEXT((before_the_write ? "cancelled before the write" : "cancelled in the sink"))
        {
            asio::io_context ctx;
            beast::test::fail_count fc(1000000);
            test_connection c(ctx, fc, response.substr(0, response.size() - 2000)); // then a stall
            asio::cancellation_signal cancel;
            std::size_t sink_calls = 0;
            const chunk_sink sink = [&](std::string_view, error_code&) {
                ++sink_calls;
                cancel.emit(asio::cancellation_type::terminal);
            };
            exchange_outcome out;
            bool done = false;
            const auto req = get_request();
            auto exchange = [&]() -> asio::awaitable<error_code> {
                co_await asio::this_coro::throw_if_cancelled(false); // as in the request loop
                if (before_the_write) // runs inline: recorded, no operation pending
                    cancel.emit(asio::cancellation_type::terminal);
                co_return co_await http_exchange(c.stream, c.buffer, c.chunk, req, out.result, {}, &sink, out.why,
                                                 [] {});
            };
            asio::co_spawn(ctx, exchange(),
                           asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr ep, error_code ec) {
                               BOOST_REQUIRE(!ep);
                               out.ec = ec;
                               done = true;
                           }));
            ctx.run();
            BOOST_REQUIRE(done);
            BOOST_TEST(out.ec == error::cancelled);
            BOOST_TEST(sink_calls == (before_the_write ? 0u : 1u));
            BOOST_TEST(out.result.request_written == !before_the_write);
            BOOST_TEST(!may_return_to_pool(out.ec, out.result));
            BOOST_TEST(!out.why.empty());
        }
    }
}

// A 204 has no body whatever its Content-Length says; bytes after its head belong to no
// response, so the connection is not reused.
BOOST_AUTO_TEST_CASE(no_content_has_no_body)
{
    const std::string head = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
    std::string received;
    const chunk_sink sink = [&](std::string_view chunk, error_code&) { received.append(chunk); };
    for (const std::string& after : {std::string(), std::string("hello")}) {
        BOOST_TEST_CONTEXT("followed by '" << after << "'")
        {
            asio::io_context ctx;
            beast::test::fail_count fc(1000000);
            test_connection c(ctx, fc, head + after);
            received.clear();
            const auto o = run_exchange(ctx, c, get_request(), &sink);
            BOOST_TEST(!o.ec);
            BOOST_TEST(o.result.status == 204u);
            BOOST_TEST(received.empty());
            BOOST_TEST(o.result.streamed_bytes == 0u);
            BOOST_TEST(may_return_to_pool(o.ec, o.result) == after.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(reuse_of_a_kept_alive_connection)
{
    // Two exchanges on one connection; failures swept over both. A failure on the reused
    // connection before any response byte is resent on a fresh one, outside the budget.
    const auto req = get_request();
    const auto first = content_length_response(batch_json);
    const auto second = chunked_response({batch_json});
    bool second_failed_before_response = false;
    for (std::size_t n = 0;; ++n) {
        BOOST_TEST_CONTEXT("failure at I/O step " << n)
        {
            asio::io_context ctx;
            beast::test::fail_count fc(n);
            test_connection c(ctx, fc, first);
            const auto o1 = run_exchange(ctx, c, req);
            if (o1.ec) {
                check_failure(o1, false, true);
                continue;
            }
            BOOST_REQUIRE(may_return_to_pool(o1.ec, o1.result));
            c.stream.append(second);
            const auto o2 = run_exchange(ctx, c, req);
            if (o2.ec) {
                check_failure(o2, true, true);
                if (!o2.result.response_started)
                    second_failed_before_response = true;
                continue;
            }
            BOOST_TEST(o2.result.body == batch_json);
            BOOST_TEST(may_return_to_pool(o2.ec, o2.result));
            break;
        }
        BOOST_REQUIRE(n < 10000u);
    }
    BOOST_TEST(second_failed_before_response); // the resend case was reached
}

BOOST_AUTO_TEST_CASE(peer_closing_instead_of_answering)
{
    // The server closed the kept-alive connection as the request crossed: EOF before any
    // response byte is connection_lost, and the reused connection's request is resent fresh.
    asio::io_context ctx;
    beast::test::fail_count fc(1000000);
    test_connection c(ctx, fc, "");
    c.stream.close_remote();
    const auto o = run_exchange(ctx, c, get_request());
    BOOST_TEST(o.ec == error::connection_lost);
    BOOST_TEST(!o.result.response_started);
    BOOST_TEST((decision_for(o, true, true).action == attempt_action::resend_fresh));
}

BOOST_AUTO_TEST_CASE(oversized_error_body_is_a_clean_prefix)
{
    // The first read fills the 16 KiB chunk (over the keep limit); the next brings 5 bytes,
    // which would fit on their own but must not be appended after what was dropped.
    std::string body(sizeof(exchange_chunk) + 5, 'a');
    for (std::size_t i = 0; i < body.size(); ++i)
        body[i] = static_cast<char>('a' + i % 26);
    body.replace(body.size() - 5, 5, "TAIL!");
    for (const auto& input : {content_length_response(body, 500), chunked_response({body}, 500)}) {
        asio::io_context ctx;
        beast::test::fail_count fc(1000000);
        test_connection c(ctx, fc, input);
        c.stream.read_size(1 << 20);
        response_limits limits;
        limits.max_body_bytes = 10;
        const auto o = run_exchange(ctx, c, get_request(), nullptr, limits);
        BOOST_TEST(!o.ec, o.ec.message());
        BOOST_TEST(o.result.status == 500u);
        BOOST_TEST(o.result.body == body.substr(0, 10));
        BOOST_TEST(may_return_to_pool(o.ec, o.result)); // drained: the connection is clean
    }
}

BOOST_AUTO_TEST_CASE(oversized_success_body_is_response_too_large)
{
    asio::io_context ctx;
    beast::test::fail_count fc(1000000);
    test_connection c(ctx, fc, content_length_response(std::string(100, 'x')));
    response_limits limits;
    limits.max_body_bytes = 99;
    const auto o = run_exchange(ctx, c, get_request(), nullptr, limits);
    BOOST_TEST(o.ec == error::response_too_large);
    BOOST_TEST(!may_return_to_pool(o.ec, o.result));
}

BOOST_AUTO_TEST_CASE(keep_within_table)
{
    struct row {
        std::string before, chunk;
        std::size_t limit;
        std::string after;
        bool kept_all;
    };
    const row rows[] = {
        {"", "abc", 0, "", false},         {"", "abc", 1, "a", false},      {"", "abc", 3, "abc", true},
        {"ab", "cd", 3, "abc", false},     {"abc", "d", 3, "abc", false},   {"abcd", "e", 3, "abcd", false},
        {"", "", 0, "", true},             {"a", "", 1, "a", true},
    };
    for (const auto& r : rows) {
        std::string body = r.before;
        BOOST_TEST(keep_within(body, r.chunk, r.limit) == r.kept_all);
        BOOST_TEST(body == r.after);
    }
}

BOOST_AUTO_TEST_SUITE_END()
