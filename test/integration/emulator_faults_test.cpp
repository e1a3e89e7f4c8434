// Each fault, observed on the wire, and the connection behaviours (close after N, idle close).
#include "emulator_test_client.hpp"

#include <boost/test/unit_test.hpp>

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
    BOOST_TEST(r.ec.failed());
    BOOST_TEST(r.status == 200u); // the head arrived, the body did not
    BOOST_TEST(!is_timeout(r.ec));
    r = c.get("/v1/batches");
    BOOST_TEST(r.ec.failed());
    BOOST_TEST(!is_timeout(r.ec));
    r = c.get("/v1/batches");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(!r.ec.failed());
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
