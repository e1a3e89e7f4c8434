// What a client refuses at construction, before any I/O: options that would let a
// configured value change the request's framing, routing or credentials.

#include "../test_printing.hpp"

#include <batchwire/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <functional>
#include <string>

namespace {

using namespace batchwire;

client_options valid_options()
{
    client_options o;
    o.base_url = "http://127.0.0.1:1/v1";
    o.api_key = "sk-test";
    return o;
}

// The error a client constructed with `tweak(options)` throws; its text must not hold `secret`.
boost::system::error_code refusal(const std::function<void(client_options&)>& tweak, const std::string& secret)
{
    boost::asio::io_context ctx;
    auto o = valid_options();
    tweak(o);
    try {
        client c(ctx, o);
    } catch (const exception& e) {
        BOOST_TEST(std::string(e.what()).find(secret) == std::string::npos, e.what());
        return e.code();
    }
    return {};
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_construction)

BOOST_AUTO_TEST_CASE(valid_options_construct_without_io)
{
    boost::asio::io_context ctx;
    auto o = valid_options();
    o.organization = "org-1";
    o.project = "proj-1";
    o.default_headers = {{"X-Trace", "a\tb"}};
    client c(ctx, o);
    BOOST_TEST(c.stats().opened == 0u);
    BOOST_TEST(ctx.poll() == 0u); // nothing was started
}

BOOST_AUTO_TEST_CASE(control_characters_in_configured_values_are_refused)
{
    BOOST_TEST(refusal([](auto& o) { o.api_key = "sk-abc\r\nX-Evil: 1"; }, "sk-abc") == error::invalid_argument);
    BOOST_TEST(refusal([](auto& o) { o.organization = "org\nX-Evil: 1"; }, "X-Evil") == error::invalid_argument);
    BOOST_TEST(refusal([](auto& o) { o.project = std::string("proj-xyz\0", 9); }, "proj-xyz") == error::invalid_argument);
    BOOST_TEST(refusal([](auto& o) { o.default_headers = {{"X-Ok", "v\r\nHost: evil"}}; }, "evil") ==
               error::invalid_argument);
}

BOOST_AUTO_TEST_CASE(bad_or_reserved_header_names_are_refused)
{
    BOOST_TEST(refusal([](auto& o) { o.default_headers = {{"", "v"}}; }, "\x01") == error::invalid_argument);
    BOOST_TEST(refusal([](auto& o) { o.default_headers = {{"X Bad", "v"}}; }, "\x01") == error::invalid_argument);
    BOOST_TEST(refusal([](auto& o) { o.default_headers = {{"X-Bad:", "v"}}; }, "\x01") == error::invalid_argument);
    // Headers the client writes itself, in any case: replacing them would reroute the
    // request, change its credentials or its framing.
    for (const char* name : {"Host", "authorization", "Content-Length", "TRANSFER-ENCODING", "Connection"})
        BOOST_TEST(refusal([&](auto& o) { o.default_headers = {{name, "secret-value"}}; }, "secret-value") ==
                       error::invalid_argument,
                   name);
}

BOOST_AUTO_TEST_CASE(missing_key_and_bad_base_url_are_refused)
{
    BOOST_TEST(refusal([](auto& o) { o.api_key.clear(); }, "\x01") == error::missing_api_key);
    BOOST_TEST(refusal([](auto& o) { o.base_url = "ftp://example.com/v1"; }, "\x01") == error::invalid_base_url);
    BOOST_TEST(refusal([](auto& o) { o.base_url = "not a url"; }, "\x01") == error::invalid_base_url);
}

BOOST_AUTO_TEST_SUITE_END()
