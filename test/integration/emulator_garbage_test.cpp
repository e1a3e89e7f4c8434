// Malformed requests get an error response (never a crash) and the server keeps serving.
#include "emulator_test_client.hpp"

#include <boost/test/unit_test.hpp>

#include <array>
#include <utility>

using namespace emulator_test;
namespace em = batchwire::emulator;

namespace {

em::emulator_options manual_options(bool tls = true)
{
    em::emulator_options o;
    o.manual_clock = true;
    o.start_time = 1'700'000'000;
    o.tls = tls;
    return o;
}

void still_serving(const em::server& s)
{
    test_client c(s);
    BOOST_TEST(c.get("/v1/batches").status == 200u);
}

// Over plain TCP whatever the server speaks: sends `bytes`, then reads until the server
// closes or `limit` passes (then the error is beast::error::timeout).
std::pair<boost::system::error_code, std::string> raw_exchange(unsigned short port, std::string bytes,
                                                               std::chrono::milliseconds limit)
{
    asio::io_context ioc;
    auto exchange = [&]() -> asio::awaitable<std::pair<boost::system::error_code, std::string>> {
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        beast::tcp_stream s(ioc);
        s.expires_after(limit); // one deadline for the whole exchange
        auto [cec] = co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), tuple);
        if (cec)
            co_return std::pair{cec, std::string()};
        auto [wec, written] = co_await asio::async_write(s, asio::buffer(bytes), tuple);
        (void)written;
        if (wec)
            co_return std::pair{wec, std::string()};
        std::string got;
        std::array<char, 4096> chunk;
        for (;;) {
            auto [ec, n] = co_await s.async_read_some(asio::buffer(chunk), tuple);
            got.append(chunk.data(), n);
            if (ec)
                co_return std::pair{ec, std::move(got)};
        }
    };
    auto done = asio::co_spawn(ioc, exchange(), asio::use_future);
    ioc.run();
    return done.get();
}

} // namespace

BOOST_AUTO_TEST_SUITE(emulator_garbage)

BOOST_AUTO_TEST_CASE(bad_request_lines_get_400)
{
    for (bool tls : {true, false}) {
        running_emulator emu(manual_options(tls));
        for (const char* junk : {"GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET /v1/batches HTTP/9.9\r\n\r\n",
                                 "GET /v1/batches HTTP/1.1\r\nno colon here\r\n\r\n", "\x01\x02\x03\r\n\r\n"}) {
            test_client c(emu.server);
            BOOST_REQUIRE(!c.connect());
            BOOST_REQUIRE(!c.write_raw(junk));
            const auto r = c.read_response();
            BOOST_TEST(r.status == 400u, "for " << junk);
            BOOST_TEST(is_api_error_body(r.body));
            BOOST_TEST(r.header("connection") == "close");
        }
        still_serving(emu.server);
    }
}

BOOST_AUTO_TEST_CASE(huge_headers_get_431)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    const auto r = c.request("GET", "/v1/batches", {}, {{"X-Padding", std::string(40000, 'a')}});
    BOOST_TEST(r.status == 431u);
    BOOST_TEST(is_api_error_body(r.body));
    still_serving(emu.server);
}

BOOST_AUTO_TEST_CASE(oversized_bodies_get_413)
{
    auto o = manual_options();
    o.max_body_bytes = 1000;
    running_emulator emu(o);
    {
        // Announced too large: answered before the body is sent.
        test_client c(emu.server);
        BOOST_REQUIRE(!c.connect());
        BOOST_REQUIRE(!c.write_raw("POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator\r\n"
                                   "Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n"));
        const auto r = c.read_response();
        BOOST_TEST(r.status == 413u);
        BOOST_TEST(is_api_error_body(r.body));
    }
    {
        // Chunked past the limit.
        test_client c(emu.server);
        BOOST_REQUIRE(!c.connect());
        std::string req = "POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n";
        req += "800\r\n" + std::string(0x800, ' ') + "\r\n0\r\n\r\n";
        BOOST_REQUIRE(!c.write_raw(req));
        const auto r = c.read_response();
        BOOST_TEST(r.status == 413u, r.body);
    }
    {
        auto small = manual_options();
        small.max_file_bytes = 100;
        running_emulator files(small);
        test_client c(files.server);
        const std::string boundary = "b0undary";
        const auto r = c.request("POST", "/v1/files", multipart_upload(boundary, "in.jsonl", chat_lines(3), "batch"),
                                 {}, "multipart/form-data; boundary=" + boundary);
        BOOST_TEST(r.status == 413u);
        BOOST_TEST(is_api_error_body(r.body));
    }
    still_serving(emu.server);
}

BOOST_AUTO_TEST_CASE(invalid_json_and_multipart_get_400_on_a_usable_connection)
{
    running_emulator emu(manual_options());
    test_client c(emu.server);
    auto r = c.post("/v1/batches", "{\"input_file_id\": ");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(is_api_error_body(r.body));
    r = c.request("POST", "/v1/files", "--x\r\ngarbage", {}, "multipart/form-data; boundary=x");
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(is_api_error_body(r.body));
    r = c.request("POST", "/v1/files", "whatever", {}, "multipart/form-data");
    BOOST_TEST(r.status == 400u);
    // Deeply nested JSON is refused, not recursed into.
    r = c.post("/v1/batches", std::string(10000, '[') + std::string(10000, ']'));
    BOOST_TEST(r.status == 400u);
    BOOST_TEST(c.get("/v1/batches").status == 200u);
    BOOST_TEST(emu.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(plain_bytes_to_the_tls_port_and_silent_clients)
{
    running_emulator emu(manual_options());
    {
        // The handshake fails: no HTTP answer (at most a TLS alert record), then a close
        // (FIN: the server read everything that was sent), well before the deadline.
        const auto [ec, got] =
            raw_exchange(emu.server.port(), "GET /v1/batches HTTP/1.1\r\nHost: x\r\n\r\n", 5000ms);
        BOOST_TEST(ec == asio::error::eof, ec.message());
        BOOST_TEST(got.find("HTTP/") == std::string::npos);
        BOOST_TEST((got.empty() || got.front() == '\x15'), "not a TLS alert: " << got.size() << " bytes");
    }
    {
        // A client that connects and says nothing does not block anyone else.
        asio::io_context ioc;
        tcp::socket quiet(ioc);
        quiet.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), emu.server.port()));
        still_serving(emu.server);
    }
    still_serving(emu.server);
}

BOOST_AUTO_TEST_CASE(a_request_that_stops_halfway_gets_408_then_a_close)
{
    for (bool tls : {true, false}) {
        auto o = manual_options(tls);
        o.request_timeout = 50ms;
        running_emulator emu(o);
        for (const std::string& partial :
             {std::string("GET /v1/batches HTTP/1.1\r\nHost: x\r\n"), // half a head
              std::string("POST /v1/batches HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator\r\n"
                          "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"input_file"), // half a body
              std::string("G")}) {
            test_client c(emu.server, client_options{.timeout = 5000ms}); // far longer than request_timeout
            BOOST_REQUIRE(!c.connect());
            const auto start = std::chrono::steady_clock::now();
            BOOST_REQUIRE(!c.write_raw(partial));
            const auto r = c.read_response();
            const auto waited = std::chrono::steady_clock::now() - start;
            BOOST_TEST(!r.ec.failed(), r.ec.message() << " for " << partial << (tls ? " (tls)" : ""));
            BOOST_TEST(r.status == 408u);
            BOOST_TEST(is_api_error_body(r.body));
            BOOST_TEST(r.header("connection") == "close");
            BOOST_TEST((waited >= 50ms));
            const auto [ec, rest] = c.read_to_end(); // and the server closes
            BOOST_TEST(!is_timeout(ec), ec.message());
            BOOST_TEST(rest.empty());
        }
        {
            // The timeout runs from a request's first byte: the wait for the next request on
            // a keep-alive connection is idle time (idle_close's, off here), not counted.
            test_client c(emu.server, client_options{.timeout = 5000ms});
            BOOST_TEST(c.get("/v1/batches").status == 200u);
            c.set_timeout(200ms); // four request timeouts, idle
            const auto [ec, rest] = c.read_to_end();
            BOOST_TEST(is_timeout(ec), ec.message());
            BOOST_TEST(rest.empty());
        }
        still_serving(emu.server);
    }
}

BOOST_AUTO_TEST_CASE(http_1_0_and_expect_100_continue)
{
    running_emulator emu(manual_options());
    {
        test_client c(emu.server);
        BOOST_REQUIRE(!c.connect());
        BOOST_REQUIRE(!c.write_raw("GET /v1/batches HTTP/1.0\r\nAuthorization: Bearer sk-emulator\r\n\r\n"));
        const auto r = c.read_response();
        BOOST_TEST(r.status == 200u);
        BOOST_TEST(r.header("connection") == "close");
    }
    {
        test_client c(emu.server);
        BOOST_REQUIRE(!c.connect());
        const std::string boundary = "xyz";
        const std::string body = multipart_upload(boundary, "in.jsonl", chat_lines(2), "batch");
        BOOST_REQUIRE(!c.write_raw("POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-emulator\r\n"
                                   "Content-Type: multipart/form-data; boundary=xyz\r\nExpect: 100-continue\r\n"
                                   "Content-Length: " +
                                   std::to_string(body.size()) + "\r\n\r\n"));
        const auto interim = c.read_response();
        BOOST_TEST(interim.status == 100u);
        BOOST_REQUIRE(!c.write_raw(body));
        const auto r = c.read_response();
        BOOST_TEST(r.status == 200u, r.body);
    }
}

BOOST_AUTO_TEST_CASE(stop_closes_open_connections)
{
    auto emu = std::make_unique<running_emulator>(manual_options());
    test_client c(emu->server);
    BOOST_TEST(c.get("/v1/batches").status == 200u);
    BOOST_TEST(emu->server.open_connections() == 1u);
    emu.reset(); // stop() and join: the keep-alive connection must not hold the server up
    const auto [ec, bytes] = c.read_to_end();
    BOOST_TEST(ec.failed());
    BOOST_TEST(!is_timeout(ec));
}

BOOST_AUTO_TEST_SUITE_END()
