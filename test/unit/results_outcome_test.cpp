// The outcome of one output or error line, and its -o record: table-tested.

#include "results_printing.hpp"

#include <batchwire/json_parse.hpp>
#include <batchwire/results.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

using namespace batchwire;

namespace {

batch_output_line with_response(int status)
{
    batch_output_line l;
    l.custom_id = "r";
    l.response = batch_line_response{status, "req_1", boost::json::object{{"ok", status}}};
    return l;
}

batch_output_line with_error(std::string code)
{
    batch_output_line l;
    l.custom_id = "r";
    l.error = batch_line_error{std::move(code), "m"};
    return l;
}

} // namespace

BOOST_AUTO_TEST_SUITE(results_outcome)

BOOST_AUTO_TEST_CASE(response_status_decides)
{
    const struct {
        int status;
        outcome expected;
    } table[] = {
        {0, outcome::failed},        {100, outcome::failed},    {199, outcome::failed},
        {200, outcome::succeeded},   {201, outcome::succeeded}, {204, outcome::succeeded},
        {299, outcome::succeeded},   {300, outcome::failed},    {400, outcome::failed},
        {408, outcome::failed},      {429, outcome::failed},    {500, outcome::failed},
        {999, outcome::failed},      {-1, outcome::failed},
    };
    for (const auto& row : table) {
        BOOST_TEST_CONTEXT("status " << row.status)
        {
            BOOST_TEST(classify(with_response(row.status)) == row.expected);
            // A response decides even when an error is set too: the request ran.
            auto both = with_response(row.status);
            both.error = batch_line_error{"batch_cancelled", "m"};
            BOOST_TEST(classify(both) == row.expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(error_code_without_response)
{
    const struct {
        const char* code;
        outcome expected;
    } table[] = {
        {"batch_cancelled", outcome::not_run}, {"batch_expired", outcome::not_run},
        {"request_timeout", outcome::failed},  {"", outcome::failed},
        {"BATCH_CANCELLED", outcome::failed},  {"batch_cancelled ", outcome::failed},
        {"server_error", outcome::failed},
    };
    for (const auto& row : table)
        BOOST_TEST_CONTEXT("code '" << row.code << "'") { BOOST_TEST(classify(with_error(row.code)) == row.expected); }
}

BOOST_AUTO_TEST_CASE(neither_response_nor_error_is_a_failure)
{
    batch_output_line l;
    l.custom_id = "r";
    BOOST_TEST(classify(l) == outcome::failed);
}

BOOST_AUTO_TEST_CASE(classifies_parsed_api_lines)
{
    const auto ok = parse_as<batch_output_line>(
        R"({"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"request_id":"req_a","body":{"x":1}},"error":null})");
    const auto http_error = parse_as<batch_output_line>(
        R"({"id":"batch_req_2","custom_id":"b","response":{"status_code":400,"request_id":"req_b","body":{"error":{}}},"error":null})");
    const auto never = parse_as<batch_output_line>(
        R"({"id":"batch_req_3","custom_id":"c","response":null,"error":{"code":"batch_expired","message":"m"}})");
    BOOST_TEST(classify(ok) == outcome::succeeded);
    BOOST_TEST(classify(http_error) == outcome::failed);
    BOOST_TEST(classify(never) == outcome::not_run);
}

BOOST_AUTO_TEST_CASE(names)
{
    BOOST_TEST(to_string(outcome::succeeded) == "succeeded");
    BOOST_TEST(to_string(outcome::failed) == "failed");
    BOOST_TEST(to_string(outcome::not_run) == "not_run");
    BOOST_TEST(to_string(outcome::missing) == "missing");
}

BOOST_AUTO_TEST_CASE(record_with_a_response_has_its_body)
{
    const auto r = outcome_record(outcome::succeeded, with_response(200));
    BOOST_TEST(r.at("custom_id") == "r");
    BOOST_TEST(r.at("outcome") == "succeeded");
    BOOST_TEST(r.at("status_code") == 200);
    BOOST_TEST(r.at("request_id") == "req_1");
    BOOST_TEST(r.at("body").at("ok") == 200);
    BOOST_TEST(!r.contains("error"));
}

BOOST_AUTO_TEST_CASE(record_without_a_response_has_the_error)
{
    const auto r = outcome_record(outcome::not_run, with_error("batch_cancelled"));
    BOOST_TEST(r.at("outcome") == "not_run");
    BOOST_TEST(r.at("status_code").is_null());
    BOOST_TEST(r.at("request_id").is_null());
    BOOST_TEST(r.at("error").at("code") == "batch_cancelled");
    BOOST_TEST(r.at("error").at("message") == "m");
    BOOST_TEST(!r.contains("body"));

    batch_output_line bare;
    bare.custom_id = "z";
    const auto b = outcome_record(outcome::failed, bare);
    BOOST_TEST(b.at("error").at("code").is_null());
}

BOOST_AUTO_TEST_SUITE_END()
