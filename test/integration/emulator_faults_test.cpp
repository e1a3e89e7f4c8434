// Each fault, observed on the wire, and the connection behaviours (close after N, idle close).
#include "emulator_test_client.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

using namespace emulator_test;
namespace em = batchwire::emulator;

namespace {

em::emulator_options manual_options()
{
    em::emulator_options o;
    o.manual_clock = true;
    o.start_time = 1'700'000'000;
    return o;
}

em::fault_rule rule(std::string route, em::fault_kind kind)
{
    em::fault_rule r;
    r.route = std::move(route);
    r.kind = kind;
    return r;
}

bool valid_json(const std::string& text)
{
    boost::system::error_code ec;
    boost::json::parse(text, ec);
    return !ec;
}

const std::string get_batches = "GET /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator\r\n\r\n";

// A raw response: its head (through the blank line), the Content-Length it announced
// (nullopt when the head is incomplete or has none) and the body bytes that followed.
struct raw_response {
    std::string head, body;
    std::optional<std::size_t> content_length;
};

raw_response split_response(const std::string& bytes)
{
    raw_response r;
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string::npos) {
        r.head = bytes;
        return r;
    }
    r.head = bytes.substr(0, end + 4);
    r.body = bytes.substr(end + 4);
    const auto at = r.head.find("content-length: ");
    if (at != std::string::npos)
        r.content_length = std::stoul(r.head.substr(at + 16));
    return r;
}

// Over plain TCP: sends `request`, then reads until the server closes or `limit` passes,
// keeping the size of every read. The error that ended it, and the reads.
std::pair<boost::system::error_code, std::vector<std::string>> read_pieces(unsigned short port,
                                                                           std::string request,
                                                                           std::chrono::milliseconds limit)
{
    asio::io_context ioc;
    auto exchange = [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::vector<std::string>>> {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream s(ioc);
        s.expires_after(limit); // one deadline for the whole exchange
        std::vector<std::string> reads;
        auto [cec] = co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), tuple);
        if (cec)
            co_return std::pair{cec, reads};
        auto [wec, written] = co_await asio::async_write(s, asio::buffer(request), tuple);
        (void)written;
        if (wec)
            co_return std::pair{wec, reads};
        std::vector<char> chunk(64 * 1024); // far larger than a piece: a read takes all that arrived
        for (;;) {
            auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), tuple);
            if (n > 0)
                reads.emplace_back(chunk.data(), n);
            if (ec)
                co_return std::pair{ec, std::move(reads)};
        }
    };
    auto done = asio::co_spawn(ioc, exchange(), asio::use_future);
    ioc.run();
    return done.get();
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_faults)

BOOST_AUTO_TEST_CASE(http_status_follows_skip_and_count)
{
    running_emulator emu(manual_options());
    auto r = rule("GET /v1/batches/{batch_id}", em::fault_kind::http_status);
    r.status = 503;
    r.skip = 1;
    r.count = 2;
    r.retry_after_s = 1.5;
    r.retry_after_ms = 250;
    r.should_retry = true;
    emu.server.add_fault(r);
    test_client c(emu.server);
    std::vector<unsigned> statuses;
    for (int i = 0; i < 4; ++i)
        statuses.push_back(c.get("/v1/batches/batch_x").status);
    BOOST_TEST(statuses == (std::vector<unsigned>{404, 503, 503, 404}), boost::test_tools::per_element());
    BOOST_TEST(c.get("/v1/batches").status == 200u); // another route is untouched
    BOOST_TEST(emu.server.faults_applied() == 2u);

    emu.server.clear_faults();
    r.skip = 0;
    r.count = 1;
    emu.server.add_fault(r);
    const auto f = c.get("/v1/batches/batch_x");
    BOOST_TEST(f.status == 503u);
    BOOST_TEST(is_api_error_body(f.body));
    BOOST_TEST(f.json().at("error").at("type").as_string() == "server_error");
    BOOST_TEST(f.header("retry-after") == "1.5");
    BOOST_TEST(f.header("retry-after-ms") == "250");
    BOOST_TEST(f.header("x-should-retry") == "true");
    BOOST_TEST(f.header("x-request-id").starts_with("req_"));
}

BOOST_AUTO_TEST_CASE(count_zero_is_forever_and_a_path_pattern_matches_any_method)
{
    running_emulator emu(manual_options());
    auto r = rule("/v1/batches", em::fault_kind::http_status);
    r.count = 0;
    r.status = 500;
    emu.server.add_fault(r);
    test_client c(emu.server);
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(c.get("/v1/batches").status == 500u);
    BOOST_TEST(c.post("/v1/batches", "{}").status == 500u);
    BOOST_TEST(c.get("/v1/batches/b").status == 404u);
}

BOOST_AUTO_TEST_CASE(rate_limited_and_insufficient_quota)
{
    running_emulator emu(manual_options());
    auto rl = rule("", em::fault_kind::rate_limited);
    rl.retry_after_s = 2;
    emu.server.add_fault(rl);
    emu.server.add_fault(rule("*", em::fault_kind::insufficient_quota));
    test_client c(emu.server);
    auto r = c.get("/v1/batches");
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(r.json().at("error").at("code").as_string() == "rate_limit_exceeded");
    BOOST_TEST(r.header("retry-after") == "2");
    r = c.get("/v1/batches");
    BOOST_TEST(r.status == 429u);
    BOOST_TEST(r.json().at("error").at("code").as_string() == "insufficient_quota");
    BOOST_TEST(r.json().at("error").at("type").as_string() == "insufficient_quota");
    BOOST_TEST(c.get("/v1/batches").status == 200u);
}

BOOST_AUTO_TEST_CASE(replacing_faults_do_not_run_the_request)
{
    running_emulator emu(manual_options());
    const auto file = emu.server.put_file("in.jsonl", "batch", chat_lines(1));
    emu.server.add_fault(rule("POST /v1/batches", em::fault_kind::http_status));
    test_client c(emu.server);
    const std::string body =
        R"({"input_file_id":")" + file.id + R"(","endpoint":"/v1/chat/completions","completion_window":"24h"})";
    BOOST_TEST(c.post("/v1/batches", body).status == 500u);
    BOOST_TEST(c.get("/v1/batches").json().at("data").as_array().empty());
}

BOOST_AUTO_TEST_CASE(close_after_response_drops_the_keep_alive_connection)
{
    running_emulator emu(manual_options());
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::close_after_response));
    test_client c(emu.server);
    const auto r = c.get("/v1/batches");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("connection") == "keep-alive"); // advertised, then dropped
    const auto [ec, rest] = c.read_to_end();
    BOOST_TEST(rest.empty());
    BOOST_TEST(!is_timeout(ec));
    BOOST_TEST(emu.server.connections_accepted() == 1u);
    BOOST_TEST(c.get("/v1/batches").status == 200u); // a new connection
    BOOST_TEST(emu.server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(truncate_body_then_reset_mid_response)
{
    running_emulator emu(manual_options());
    // Rules added in turn fire in turn: the second never counts the request the first took.
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::truncate_body));
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::reset_mid_response));
    test_client c(emu.server);
    auto r = c.get("/v1/batches");
    // Over TLS: a close without close_notify, then a reset.
    BOOST_TEST(r.ec == asio::ssl::error::stream_truncated, r.ec.message());
    BOOST_TEST(r.status == 200u); // the head arrived, the body did not
    r = c.get("/v1/batches");
    BOOST_TEST(r.ec == asio::error::connection_reset, r.ec.message());
    r = c.get("/v1/batches");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(!r.ec.failed());
    BOOST_TEST(emu.server.connections_accepted() == 3u);
}

BOOST_AUTO_TEST_CASE(truncate_body_closes_after_half_the_body_and_reset_resets)
{
    auto o = manual_options();
    o.tls = false; // the bytes as sent, and TCP's FIN and RST as they are
    running_emulator emu(o);
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::truncate_body));
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::reset_mid_response));
    test_client c(emu.server);

    // truncate_body: the full Content-Length announced, half of it sent, then a clean close.
    BOOST_REQUIRE(!c.connect());
    BOOST_REQUIRE(!c.write_raw(get_batches));
    auto [ec, bytes] = c.read_to_end();
    BOOST_TEST(ec == asio::error::eof, ec.message());
    auto got = split_response(bytes);
    BOOST_TEST(got.head.starts_with("HTTP/1.1 200 "));
    BOOST_REQUIRE(got.content_length);
    BOOST_TEST(*got.content_length > 10u);
    BOOST_TEST(got.body.size() == *got.content_length / 2);

    // reset_mid_response: at most the head and half the body, then a reset, not a close.
    BOOST_REQUIRE(!c.connect());
    BOOST_REQUIRE(!c.write_raw(get_batches));
    std::tie(ec, bytes) = c.read_to_end();
    BOOST_TEST(ec == asio::error::connection_reset, ec.message());
    got = split_response(bytes);
    if (got.content_length)
        BOOST_TEST(got.body.size() <= *got.content_length / 2);

    BOOST_TEST(c.get("/v1/batches").status == 200u);
    BOOST_TEST(emu.server.connections_accepted() == 3u);
}

BOOST_AUTO_TEST_CASE(damaging_faults_still_run_the_request)
{
    running_emulator emu(manual_options());
    const auto file = emu.server.put_file("in.jsonl", "batch", chat_lines(1));
    emu.server.add_fault(rule("POST /v1/batches", em::fault_kind::truncate_body));
    test_client c(emu.server);
    const std::string body =
        R"({"input_file_id":")" + file.id + R"(","endpoint":"/v1/chat/completions","completion_window":"24h"})";
    BOOST_TEST(c.post("/v1/batches", body).ec.failed());
    BOOST_TEST(c.get("/v1/batches").json().at("data").as_array().size() == 1u); // the server acted
}

BOOST_AUTO_TEST_CASE(stall_headers_times_the_client_out)
{
    running_emulator emu(manual_options());
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::stall_headers)); // until the peer leaves
    test_client c(emu.server, client_options{.timeout = 200ms});
    auto r = c.get("/v1/batches");
    BOOST_TEST(is_timeout(r.ec));
    BOOST_TEST(r.status == 0u);
    c.close();
    c.set_timeout(5000ms);
    BOOST_TEST(c.get("/v1/batches").status == 200u);

    // With stall_for the response comes, late.
    auto timed = rule("GET /v1/batches", em::fault_kind::stall_headers);
    timed.stall_for = 50ms;
    emu.server.clear_faults();
    emu.server.add_fault(timed);
    const auto start = std::chrono::steady_clock::now();
    r = c.get("/v1/batches");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 50ms));
}

BOOST_AUTO_TEST_CASE(stall_body_sends_the_head_then_stops)
{
    running_emulator emu(manual_options());
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::stall_body));
    test_client c(emu.server, client_options{.timeout = 200ms});
    const auto r = c.get("/v1/batches");
    BOOST_TEST(is_timeout(r.ec));
    BOOST_TEST(r.status == 200u);
}

BOOST_AUTO_TEST_CASE(slow_drip_delivers_a_whole_response_slowly)
{
    running_emulator emu(manual_options());
    auto drip = rule("GET /v1/batches", em::fault_kind::slow_drip);
    drip.drip_bytes = 100;
    drip.drip_interval = 5ms;
    emu.server.add_fault(drip);
    test_client c(emu.server);
    const auto start = std::chrono::steady_clock::now();
    const auto r = c.get("/v1/batches");
    BOOST_TEST(!r.ec.failed());
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(valid_json(r.body));
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 10ms)); // at least 3 pieces
}

BOOST_AUTO_TEST_CASE(slow_drip_sends_the_response_in_pieces_of_drip_bytes)
{
    auto o = manual_options();
    o.tls = false; // reads see the pieces as written, not TLS records
    running_emulator emu(o);
    auto drip = rule("GET /v1/batches", em::fault_kind::slow_drip);
    drip.drip_bytes = 100;
    drip.drip_interval = 10ms;
    emu.server.add_fault(drip);
    const auto start = std::chrono::steady_clock::now();
    const auto [ec, reads] = read_pieces(emu.server.port(), "GET /v1/batches HTTP/1.1\r\nHost: x\r\n"
                                         "Authorization: Bearer sk-emulator\r\nConnection: close\r\n\r\n", 5000ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST(ec == asio::error::eof, ec.message()); // Connection: close, after the last piece

    std::string all;
    std::size_t largest = 0;
    for (const auto& piece : reads) {
        all += piece;
        largest = std::max(largest, piece.size());
    }
    const auto got = split_response(all);
    BOOST_REQUIRE(got.content_length);
    BOOST_TEST(got.body.size() == *got.content_length); // all of it
    BOOST_TEST(valid_json(got.body));
    const std::size_t pieces = (all.size() + drip.drip_bytes - 1) / drip.drip_bytes;
    BOOST_TEST(pieces >= 4u);
    // Every read ended where a piece ended (the last piece may be short)...
    std::size_t offset = 0;
    for (std::size_t i = 0; i + 1 < reads.size(); ++i) {
        offset += reads[i].size();
        BOOST_TEST(offset % drip.drip_bytes == 0u, "read " << i << " ends at " << offset);
    }
    // ...and pieces came one at a time, a read rarely seeing two that a slow reader let pile up.
    BOOST_TEST(reads.size() * 2 >= pieces, reads.size() << " reads for " << pieces << " pieces");
    BOOST_TEST(largest <= 2 * drip.drip_bytes);
    BOOST_TEST((elapsed >= (pieces - 1) * drip.drip_interval));
}

BOOST_AUTO_TEST_CASE(malformed_json_and_wrong_content_type)
{
    running_emulator emu(manual_options());
    emu.server.add_fault(rule("GET /v1/batches", em::fault_kind::malformed_json));
    auto html = rule("GET /v1/batches", em::fault_kind::wrong_content_type);
    html.status = 502;
    emu.server.add_fault(html);
    test_client c(emu.server);
    auto r = c.get("/v1/batches");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(r.header("content-type") == "application/json");
    BOOST_TEST(!valid_json(r.body));
    r = c.get("/v1/batches");
    BOOST_TEST(r.status == 502u);
    BOOST_TEST(r.header("content-type").starts_with("text/html"));
    BOOST_TEST(r.body.find("<html>") != std::string::npos);
    BOOST_TEST(c.get("/v1/batches").status == 200u);
}

BOOST_AUTO_TEST_CASE(probability_is_deterministic_for_a_seed)
{
    auto pattern = [](std::uint64_t seed) {
        auto o = manual_options();
        o.fault_seed = seed;
        running_emulator emu(o);
        auto r = rule("GET /v1/batches", em::fault_kind::http_status);
        r.count = 0;
        r.probability = 0.5;
        emu.server.add_fault(r);
        test_client c(emu.server);
        std::string out;
        for (int i = 0; i < 32; ++i)
            out += c.get("/v1/batches").status == 500u ? 'x' : '.';
        return out;
    };
    const auto a = pattern(7);
    BOOST_TEST(a == pattern(7));
    BOOST_TEST(a.find('x') != std::string::npos);
    BOOST_TEST(a.find('.') != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parse_fault_rule_command_line_form)
{
    const auto r = em::parse_fault_rule(
        "route=GET /v1/batches/{id},kind=http_status,status=503,skip=1,count=2,probability=0.5,"
        "retry_after_s=1,retry_after_ms=250,should_retry=false,drip_interval_ms=7,drip_bytes=3,stall_ms=40");
    BOOST_TEST(r.route == "GET /v1/batches/{id}");
    BOOST_TEST(r.kind == em::fault_kind::http_status);
    BOOST_TEST(r.status == 503u);
    BOOST_TEST(r.skip == 1u);
    BOOST_TEST(r.count == 2u);
    BOOST_TEST(r.probability == 0.5);
    BOOST_TEST(r.retry_after_s.value() == 1.0);
    BOOST_TEST(r.retry_after_ms.value() == 250.0);
    BOOST_TEST(r.should_retry.value() == false);
    BOOST_TEST(r.drip_interval.count() == 7);
    BOOST_TEST(r.drip_bytes == 3u);
    BOOST_TEST(r.stall_for.value().count() == 40);
    BOOST_CHECK_THROW(em::parse_fault_rule("kind=nope"), std::invalid_argument);
    BOOST_CHECK_THROW(em::parse_fault_rule("route=x"), std::invalid_argument);
    BOOST_CHECK_THROW(em::parse_fault_rule("kind=http_status,status=abc"), std::invalid_argument);
    BOOST_CHECK_THROW(em::parse_fault_rule("kind=http_status,colour=red"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(close_after_requests_sends_connection_close)
{
    auto o = manual_options();
    o.close_after_requests = 2;
    running_emulator emu(o);
    test_client c(emu.server);
    auto r = c.get("/v1/batches");
    BOOST_TEST(r.header("connection") == "keep-alive");
    r = c.get("/v1/batches");
    BOOST_TEST(r.header("connection") == "close");
    BOOST_TEST(!c.connected());
    BOOST_TEST(c.get("/v1/batches").status == 200u);
    BOOST_TEST(emu.server.connections_accepted() == 2u);
    emu.server.set_close_after_requests(0);
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(c.get("/v1/batches").header("connection") == "keep-alive");
}

BOOST_AUTO_TEST_CASE(idle_connections_are_closed_silently)
{
    running_emulator emu(manual_options());
    emu.server.set_idle_close(100ms);
    test_client c(emu.server);
    BOOST_TEST(c.get("/v1/batches").status == 200u);
    const auto start = std::chrono::steady_clock::now();
    const auto [ec, bytes] = c.read_to_end();
    BOOST_TEST(!is_timeout(ec));
    BOOST_TEST(bytes.empty());
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 90ms));
}

BOOST_AUTO_TEST_CASE(connections_beyond_max_connections_are_closed)
{
    auto o = manual_options();
    o.max_connections = 2;
    running_emulator emu(o);
    test_client a(emu.server), b(emu.server), c(emu.server);
    BOOST_TEST(a.get("/v1/batches").status == 200u);
    BOOST_TEST(b.get("/v1/batches").status == 200u);
    BOOST_TEST(c.connect().failed()); // closed before the handshake
    a.close();
    // Once a slot is free (the server notices the close), new connections are served again.
    http_result r;
    for (int i = 0; i < 200 && r.status != 200u; ++i) {
        c.close();
        r = c.get("/v1/batches");
    }
    BOOST_TEST(r.status == 200u);
}

BOOST_AUTO_TEST_SUITE_END()
