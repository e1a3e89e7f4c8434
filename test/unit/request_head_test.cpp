// The request head: the client's fields serialised once, each request's line and own fields
// added; the bytes parse back as the same request, and values that would break the head
// are refused.

#include "../../src/request_head.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using namespace batchwire;
using namespace batchwire::detail;
namespace http = boost::beast::http;

origin test_origin()
{
    origin o;
    o.host = "api.example";
    o.port = 8443;
    o.host_header = "api.example:8443";
    o.path_prefix = "/v1";
    return o;
}

client_options test_options()
{
    client_options o;
    o.api_key = "sk-test";
    return o;
}

// Parses a whole request (its body delimited by Content-Length, or none).
http::request<http::string_body> parse(const std::string& bytes)
{
    http::request_parser<http::string_body> p;
    p.eager(true);
    boost::system::error_code ec;
    const auto n = p.put(boost::asio::buffer(bytes), ec);
    BOOST_TEST(!ec, ec.message());
    BOOST_TEST(p.is_done());
    BOOST_TEST(n == bytes.size());
    return p.release();
}

} // namespace

BOOST_AUTO_TEST_SUITE(request_head_bytes)

BOOST_AUTO_TEST_CASE(retrieve_is_exact)
{
    const request_head head(test_origin(), test_options(), "Bearer sk-test");
    std::string out;
    BOOST_TEST(!head.serialize(http::verb::get, "/v1/batches/batch_1", {}, out));
    BOOST_TEST(out.starts_with("GET /v1/batches/batch_1 HTTP/1.1\r\n"
                               "Host: api.example:8443\r\n"
                               "Authorization: Bearer sk-test\r\n"
                               "User-Agent: batchwire/"));
    BOOST_TEST(out.ends_with("\r\nAccept: application/json\r\n\r\n"));
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = out.find("\r\n", at)) != std::string::npos; at += 2)
        ++lines;
    BOOST_TEST(lines == 6u); // no Content-Length for a GET without a body, nothing else
}

BOOST_AUTO_TEST_CASE(client_fields_in_order_and_connection_close_without_pool)
{
    auto opts = test_options();
    opts.organization = "org-1";
    opts.project = "proj-1";
    opts.default_headers = {{"X-One", "1"}, {"X-Two", "two words"}};
    opts.pool.enabled = false;
    const request_head head(test_origin(), opts, "Bearer sk-test");
    const std::string fields(head.client_fields());
    BOOST_TEST(fields.ends_with("OpenAI-Organization: org-1\r\nOpenAI-Project: proj-1\r\n"
                                "X-One: 1\r\nX-Two: two words\r\nConnection: close\r\n"));
    std::string out;
    BOOST_TEST(!head.serialize(http::verb::post, "/v1/batches/b/cancel", {.content_length = 0}, out));
    const auto m = parse(out);
    BOOST_TEST(m.method() == http::verb::post);
    BOOST_TEST(m.target() == "/v1/batches/b/cancel");
    BOOST_TEST(m["OpenAI-Project"] == "proj-1");
    BOOST_TEST(m["X-Two"] == "two words");
    BOOST_TEST(m[http::field::content_length] == "0");
    BOOST_TEST(!m.keep_alive());
}

BOOST_AUTO_TEST_CASE(own_fields_parse_back)
{
    const request_head head(test_origin(), test_options(), "Bearer sk-test");
    std::string out = "kept:"; // serialize appends
    const std::string body = R"({"input_file_id":"f"})";
    const request_fields own{.accept = "application/binary", .content_type = "application/json",
                             .idempotency_key = "key-1", .content_length = body.size()};
    BOOST_TEST(!head.serialize(http::verb::post, "/v1/batches", own, out));
    BOOST_TEST(out.starts_with("kept:POST "));
    const auto m = parse(out.substr(5) + body);
    BOOST_TEST(m[http::field::host] == "api.example:8443");
    BOOST_TEST(m[http::field::authorization] == "Bearer sk-test");
    BOOST_TEST(m[http::field::accept] == "application/binary");
    BOOST_TEST(m[http::field::content_type] == "application/json");
    BOOST_TEST(m["Idempotency-Key"] == "key-1");
    BOOST_TEST(m.body() == body);
    BOOST_TEST(m.keep_alive());
}

BOOST_AUTO_TEST_CASE(values_that_would_break_the_head_are_refused)
{
    const request_head head(test_origin(), test_options(), "Bearer sk-test");
    using namespace std::string_view_literals;
    struct row {
        std::string_view target;
        std::string_view key;
    };
    const row rows[] = {
        {"/v1/batches", "a\r\nX-Evil: 1"}, {"/v1/batches", "a\nb"}, {"/v1/batches", "a\0b"sv},
        {"/v1/batches", "a\x7f"},          {"/v1/a b", ""},         {"/v1/a\r\nX: y", ""},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("target " << r.target << ", key " << r.key)
        {
            std::string out = "unchanged";
            const auto ec = head.serialize(http::verb::post, r.target, {.idempotency_key = r.key}, out);
            BOOST_TEST((ec == error::invalid_argument));
            BOOST_TEST(out == "unchanged");
        }
    }
    std::string out;
    BOOST_TEST(!head.serialize(http::verb::post, "/v1/batches", {.idempotency_key = "tab\tis allowed"}, out));
}

BOOST_AUTO_TEST_CASE(content_length_table)
{
    struct row {
        http::verb method;
        std::uint64_t size;
        bool expected;
    };
    const row rows[] = {
        {http::verb::get, 0, false},    {http::verb::get, 1, true},     {http::verb::delete_, 0, false},
        {http::verb::post, 0, true},    {http::verb::put, 0, true},     {http::verb::options, 0, true},
        {http::verb::post, UINT64_MAX, true},
    };
    for (const auto& r : rows)
        BOOST_TEST(needs_content_length(r.method, r.size) == r.expected,
                   http::to_string(r.method) << " with " << r.size << " bytes");
}

BOOST_AUTO_TEST_SUITE_END()
