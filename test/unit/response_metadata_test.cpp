// Response headers and error bodies, read into response_metadata and diagnostics.

#include "../../src/response_metadata.hpp"

#include <boost/beast/http/fields.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using namespace batchwire;
using namespace batchwire::detail;
namespace http = boost::beast::http;

http::fields headers(std::initializer_list<std::pair<const char*, const char*>> list)
{
    http::fields h;
    for (const auto& [name, value] : list)
        h.insert(name, value);
    return h;
}

diagnostics error_from(unsigned status, std::string_view body, const http::fields& h = {})
{
    diagnostics d;
    read_api_error(status, h, body, d);
    return d;
}

} // namespace

BOOST_AUTO_TEST_SUITE(response_metadata_reading)

BOOST_AUTO_TEST_CASE(every_header)
{
    const auto h = headers({{"x-request-id", "req_123"},
                            {"openai-processing-ms", "187"},
                            {"openai-poll-after-ms", "2500"},
                            {"x-ratelimit-limit-requests", "5000"},
                            {"x-ratelimit-limit-tokens", "2000000"},
                            {"x-ratelimit-remaining-requests", "4999"},
                            {"x-ratelimit-remaining-tokens", "1999000"},
                            {"x-ratelimit-reset-requests", "12ms"},
                            {"x-ratelimit-reset-tokens", "6m0s"}});
    response_metadata m;
    read_response_metadata(h, m);
    BOOST_TEST(m.request_id == "req_123");
    BOOST_TEST(m.processing_ms.value_or(-1) == 187);
    BOOST_TEST_REQUIRE(m.poll_after.has_value());
    BOOST_TEST(m.poll_after->count() == 2500);
    BOOST_TEST(m.limits.limit_requests.value_or(-1) == 5000);
    BOOST_TEST(m.limits.limit_tokens.value_or(-1) == 2000000);
    BOOST_TEST(m.limits.remaining_requests.value_or(-1) == 4999);
    BOOST_TEST(m.limits.remaining_tokens.value_or(-1) == 1999000);
    BOOST_TEST(m.limits.reset_requests == "12ms");
    BOOST_TEST(m.limits.reset_tokens == "6m0s");
}

BOOST_AUTO_TEST_CASE(header_names_are_case_insensitive)
{
    response_metadata m;
    read_response_metadata(headers({{"X-Request-ID", "req_9"}, {"OpenAI-Processing-Ms", "5"}}), m);
    BOOST_TEST(m.request_id == "req_9");
    BOOST_TEST(m.processing_ms.value_or(-1) == 5);
}

BOOST_AUTO_TEST_CASE(garbage_numbers_are_ignored)
{
    const auto h = headers({{"openai-processing-ms", "fast"},
                            {"openai-poll-after-ms", "-5"},
                            {"x-ratelimit-limit-requests", "12abc"},
                            {"x-ratelimit-limit-tokens", "99999999999999999999999"},
                            {"x-ratelimit-remaining-requests", ""},
                            {"x-ratelimit-remaining-tokens", "nan"}});
    response_metadata m;
    read_response_metadata(h, m);
    BOOST_TEST(!m.processing_ms.has_value());
    BOOST_TEST(!m.poll_after.has_value());
    BOOST_TEST(!m.limits.limit_requests.has_value());
    BOOST_TEST(!m.limits.limit_tokens.has_value());
    BOOST_TEST(!m.limits.remaining_requests.has_value());
    BOOST_TEST(!m.limits.remaining_tokens.has_value());
}

BOOST_AUTO_TEST_CASE(decimal_values_are_rounded)
{
    response_metadata m;
    read_response_metadata(headers({{"openai-processing-ms", "12.6"}, {"openai-poll-after-ms", " 1000 "}}), m);
    BOOST_TEST(m.processing_ms.value_or(-1) == 13);
    BOOST_TEST_REQUIRE(m.poll_after.has_value());
    BOOST_TEST(m.poll_after->count() == 1000);
}

BOOST_AUTO_TEST_CASE(request_id_alone)
{
    const auto with_id = headers({{"X-Request-Id", "req_9"}, {"openai-processing-ms", "12"}});
    BOOST_TEST(read_request_id(with_id) == "req_9");
    const auto empty_id = headers({{"x-request-id", ""}});
    BOOST_TEST(read_request_id(empty_id).empty());
    const auto without = headers({{"openai-processing-ms", "12"}});
    BOOST_TEST(read_request_id(without).empty());
}

BOOST_AUTO_TEST_CASE(absent_headers_reset_earlier_values)
{
    response_metadata m;
    m.http_status = 429;
    m.attempts = 2;
    read_response_metadata(headers({{"x-request-id", "req_1"}, {"openai-poll-after-ms", "10"},
                                    {"x-ratelimit-reset-tokens", "1s"}}),
                           m);
    read_response_metadata(headers({}), m);
    BOOST_TEST(m.request_id.empty());
    BOOST_TEST(!m.poll_after.has_value());
    BOOST_TEST(m.limits.reset_tokens.empty());
    BOOST_TEST(m.http_status == 429u); // the caller's
    BOOST_TEST(m.attempts == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(response_api_error)

BOOST_AUTO_TEST_CASE(the_api_error_object)
{
    const auto d = error_from(404,
                              R"({"error": {"message": "No batch found with id 'x'.", "type": "invalid_request_error",)"
                              R"( "param": "batch_id", "code": "not_found"}})",
                              headers({{"x-request-id", "req_abc"}}));
    BOOST_TEST(d.http_status == 404u);
    BOOST_TEST(d.request_id == "req_abc");
    BOOST_TEST(d.message == "No batch found with id 'x'.");
    BOOST_TEST(d.type == "invalid_request_error");
    BOOST_TEST(d.param == "batch_id");
    BOOST_TEST(d.code == "not_found");
    BOOST_TEST(d.body.empty());
    BOOST_TEST(!d.retry_after.has_value());
    BOOST_TEST(!d.should_retry.has_value());
    BOOST_TEST(error_for_response(404, d) == make_error_code(error::not_found));
}

BOOST_AUTO_TEST_CASE(null_and_absent_param_and_code)
{
    auto d = error_from(400, R"({"error": {"message": "bad", "type": "invalid_request_error", "param": null,)"
                             R"( "code": null}})");
    BOOST_TEST(d.message == "bad");
    BOOST_TEST(d.param.empty());
    BOOST_TEST(d.code.empty());
    d = error_from(500, R"({"error": {"message": "oops", "type": "server_error"}})");
    BOOST_TEST(d.message == "oops");
    BOOST_TEST(d.type == "server_error");
    BOOST_TEST(d.param.empty());
    BOOST_TEST(d.code.empty());
    d = error_from(500, R"({"error": {}})");
    BOOST_TEST(d.message.empty());
    BOOST_TEST(d.body.empty());
}

BOOST_AUTO_TEST_CASE(numeric_code_is_kept_as_text)
{
    const auto d = error_from(500, R"({"error": {"message": "m", "code": 502, "param": ["a"]}})");
    BOOST_TEST(d.code == "502");
    BOOST_TEST(d.param.empty());
}

BOOST_AUTO_TEST_CASE(insufficient_quota_from_the_code)
{
    const auto d = error_from(429, R"({"error": {"message": "quota", "type": "insufficient_quota",)"
                                   R"( "code": "insufficient_quota"}})");
    BOOST_TEST(error_for_response(429, d) == make_error_code(error::insufficient_quota));
    BOOST_TEST(error_for_response(429, error_from(429, R"({"error": {"message": "slow down"}})")) ==
               make_error_code(error::rate_limited));
    BOOST_TEST(error_for_response(503, d) == make_error_code(error::server_error));
    BOOST_TEST(error_for_response(418, d) == make_error_code(error::http_error));
}

BOOST_AUTO_TEST_CASE(non_json_body_is_kept_as_text)
{
    const auto d = error_from(502, "<html><body>Bad Gateway</body></html>", headers({{"x-request-id", "req_x"}}));
    BOOST_TEST(d.http_status == 502u);
    BOOST_TEST(d.request_id == "req_x");
    BOOST_TEST(d.message == "HTTP 502 with a non-JSON body");
    BOOST_TEST(d.body == "<html><body>Bad Gateway</body></html>");
    BOOST_TEST(d.type.empty());
    BOOST_TEST(d.code.empty());
}

BOOST_AUTO_TEST_CASE(json_of_another_shape_is_kept_as_text)
{
    for (const char* body : {R"({"detail": "nope"})", R"({"error": "nope"})", "[1, 2]", "\"text\"", "42",
                             R"({"error": {"message": "m"}} trailing)"}) {
        BOOST_TEST_CONTEXT(body)
        {
            const auto d = error_from(500, body);
            BOOST_TEST(d.message == "HTTP 500 with a non-JSON body");
            BOOST_TEST(d.body == body);
        }
    }
}

BOOST_AUTO_TEST_CASE(empty_body)
{
    const auto d = error_from(503, "");
    BOOST_TEST(d.message == "HTTP 503 with an empty body");
    BOOST_TEST(d.body.empty());
}

BOOST_AUTO_TEST_CASE(huge_body_is_truncated)
{
    const std::string body(5u << 20, 'x');
    const auto d = error_from(500, body);
    BOOST_TEST(d.body.size() == max_error_body_text);
    BOOST_TEST(d.body == body.substr(0, max_error_body_text));
}

BOOST_AUTO_TEST_CASE(truncation_keeps_utf8_characters_whole)
{
    std::string body(max_error_body_text - 1, 'a');
    body += "\xc3\xa9"; // 'é' straddles the limit
    body += std::string(100, 'b');
    const auto d = error_from(500, body);
    BOOST_TEST(d.body.size() == max_error_body_text - 1);
    BOOST_TEST(d.body == std::string(max_error_body_text - 1, 'a'));
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_refused_without_recursion)
{
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto d = error_from(500, deep);
    BOOST_TEST(d.message == "HTTP 500 with a non-JSON body");
    BOOST_TEST(d.body.size() == max_error_body_text);

    const std::string nested_message =
        R"({"error": {"message": )" + std::string(40, '[') + std::string(40, ']') + "}}";
    d = error_from(500, nested_message);
    BOOST_TEST(d.message == "HTTP 500 with a non-JSON body");
    BOOST_TEST(d.body == nested_message);
}

BOOST_AUTO_TEST_CASE(retry_headers)
{
    auto d = error_from(429, R"({"error": {"message": "slow"}})",
                        headers({{"retry-after-ms", "1500"}, {"retry-after", "30"}, {"x-should-retry", "true"}}));
    BOOST_TEST_REQUIRE(d.retry_after.has_value());
    BOOST_TEST(d.retry_after->count() == 1500);
    BOOST_TEST((d.should_retry == std::optional<bool>{true}));

    d = error_from(503, "", headers({{"Retry-After", "2"}, {"X-Should-Retry", "false"}}));
    BOOST_TEST_REQUIRE(d.retry_after.has_value());
    BOOST_TEST(d.retry_after->count() == 2000);
    BOOST_TEST((d.should_retry == std::optional<bool>{false}));

    // An HTTP-date, relative to now: one in the past asks for no wait.
    d = error_from(503, "", headers({{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}}));
    BOOST_TEST_REQUIRE(d.retry_after.has_value());
    BOOST_TEST(d.retry_after->count() == 0);

    d = error_from(503, "", headers({{"retry-after", "later"}, {"x-should-retry", "maybe"}}));
    BOOST_TEST(!d.retry_after.has_value());
    BOOST_TEST(!d.should_retry.has_value());
}

BOOST_AUTO_TEST_CASE(reused_diagnostics_hold_no_stale_fields)
{
    diagnostics d;
    d.attempts = 3;
    read_api_error(400, headers({{"x-request-id", "r1"}, {"retry-after", "1"}}),
                   R"({"error": {"message": "m", "type": "t", "param": "p", "code": "c"}})", d);
    read_api_error(502, headers({}), "gateway", d);
    BOOST_TEST(d.http_status == 502u);
    BOOST_TEST(d.request_id.empty());
    BOOST_TEST(d.type.empty());
    BOOST_TEST(d.param.empty());
    BOOST_TEST(d.code.empty());
    BOOST_TEST(d.body == "gateway");
    BOOST_TEST(!d.retry_after.has_value());
    BOOST_TEST(d.attempts == 3u); // the caller's
}

BOOST_AUTO_TEST_SUITE_END()
