// JSONL lines of batch input, output and error files.

#include <batchwire/batch_line.hpp>
#include <batchwire/json_parse.hpp>

#include "json_rejection.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

using batchwire::batch_input_line;
using batchwire::batch_output_line;
using batchwire::test::reject;

BOOST_AUTO_TEST_SUITE(batch_line)

BOOST_AUTO_TEST_CASE(input_line)
{
    const auto l = batchwire::parse_as<batch_input_line>(
        R"({"custom_id":"request-1","method":"POST","url":"/v1/chat/completions",
            "body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"max_tokens":1000}})");
    BOOST_TEST(l.custom_id == "request-1");
    BOOST_TEST(l.method == "POST");
    BOOST_TEST(l.url == "/v1/chat/completions");
    BOOST_TEST(l.body.at("messages").at(0).at("content") == "Hi");
    BOOST_TEST(l.body.at("max_tokens") == 1000);

    const boost::json::value v = boost::json::value_from(l);
    BOOST_TEST(v.at("custom_id") == "request-1");
    BOOST_TEST(v.at("method") == "POST");
    BOOST_TEST(v.at("body") == l.body);
}

BOOST_AUTO_TEST_CASE(input_line_defaults)
{
    const auto l = batchwire::parse_as<batch_input_line>(R"({"custom_id":"r","method":null})");
    BOOST_TEST(l.method == "POST");
    BOOST_TEST(l.url.empty());
    BOOST_TEST(l.body.is_null());
}

BOOST_AUTO_TEST_CASE(output_line_with_a_response)
{
    const auto l = batchwire::parse_as<batch_output_line>(
        R"({"id":"batch_req_123","custom_id":"request-2","response":{"status_code":200,
            "request_id":"req_123","body":{"id":"chatcmpl-1","choices":[]}},"error":null})");
    BOOST_TEST(l.id == "batch_req_123");
    BOOST_TEST(l.custom_id == "request-2");
    BOOST_REQUIRE(l.response.has_value());
    BOOST_TEST(l.response->status_code == 200);
    BOOST_TEST(l.response->request_id == "req_123");
    BOOST_TEST(l.response->body.at("id") == "chatcmpl-1");
    BOOST_TEST(!l.error);
}

BOOST_AUTO_TEST_CASE(error_line_without_a_response)
{
    const auto l = batchwire::parse_as<batch_output_line>(
        R"({"id":"batch_req_456","custom_id":"request-3","response":null,
            "error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}})");
    BOOST_TEST(!l.response);
    BOOST_REQUIRE(l.error.has_value());
    BOOST_TEST(l.error->code == "batch_expired");

    const boost::json::value v = boost::json::value_from(l);
    BOOST_TEST(v.at("response").is_null());
    BOOST_TEST(v.at("error").at("code") == "batch_expired");
}

BOOST_AUTO_TEST_CASE(http_error_line_keeps_both)
{
    const auto l = batchwire::parse_as<batch_output_line>(
        R"({"id":"b","custom_id":"c","response":{"status_code":400,"request_id":"req_1",
            "body":{"error":{"message":"bad","type":"invalid_request_error"}}},
            "error":{"code":null,"message":null}})");
    BOOST_TEST(l.response->status_code == 400);
    BOOST_TEST(l.error->code.empty());
    BOOST_TEST(l.error->message.empty());
}

BOOST_AUTO_TEST_CASE(errors_are_named)
{
    BOOST_TEST(reject<batch_input_line>(R"({"method":"POST"})").message ==
               "batch_input_line.custom_id: required field is missing");
    BOOST_TEST(reject<batch_input_line>(R"({"custom_id":1})").message ==
               "batch_input_line.custom_id: expected a string, got integer");
    BOOST_TEST(reject<batch_output_line>(R"({"id":"b","response":null})").message ==
               "batch_output_line.custom_id: required field is missing");
    BOOST_TEST(reject<batch_output_line>(R"({"custom_id":"c","response":{"request_id":"r"}})").message ==
               "batch_output_line.response.status_code: required field is missing");
    BOOST_TEST(reject<batch_output_line>(R"({"custom_id":"c","response":{"status_code":"200"}})").message ==
               "batch_output_line.response.status_code: expected an integer, got string");
    BOOST_TEST(reject<batch_output_line>(R"({"custom_id":"c","response":{"status_code":70000}})").message ==
               "batch_output_line.response.status_code: 70000 is not an HTTP status");
    BOOST_TEST(reject<batch_output_line>(R"({"custom_id":"c","error":[]})").message ==
               "batch_output_line.error: expected an object, got array");
}

BOOST_AUTO_TEST_SUITE_END()
