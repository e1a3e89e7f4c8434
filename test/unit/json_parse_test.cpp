// parse_json: limits (size, depth), trailing commas, error positions, and garbage that must
// be refused without a crash.

#include <batchwire/batch.hpp>
#include <batchwire/json_parse.hpp>

#include "json_rejection.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>

using batchwire::batch;
using batchwire::diagnostics;
using batchwire::error;
using batchwire::json_parse_options;
using batchwire::parse_json;
using batchwire::test::reject;

namespace {

struct parse_result {
    boost::json::value value;
    boost::system::error_code ec;
    std::string message;
};

parse_result parse(std::string_view text, const json_parse_options& opts = {})
{
    parse_result r;
    diagnostics diag;
    r.value = parse_json(text, r.ec, diag, opts);
    r.message = diag.message;
    return r;
}

std::string nested_arrays(std::size_t depth)
{
    return std::string(depth, '[') + std::string(depth, ']');
}

const char* const valid_batch = R"({"id":"batch_1","object":"batch","endpoint":"/v1/embeddings",
    "input_file_id":"file-1","completion_window":"24h","status":"completed","created_at":1,
    "request_counts":{"total":2,"completed":2,"failed":0},"metadata":{"k":"v"}})";

} // namespace

BOOST_AUTO_TEST_SUITE(json_parse)

BOOST_AUTO_TEST_CASE(valid_text_clears_the_error)
{
    boost::system::error_code ec = error::timeout;
    diagnostics diag;
    const auto v = parse_json(R"({"a":[1,2.5,"x",null,true]})", ec, diag);
    BOOST_TEST(!ec);
    BOOST_TEST(diag.message.empty());
    BOOST_TEST(v.at("a").as_array().size() == 5u);
}

BOOST_AUTO_TEST_CASE(syntax_error_position)
{
    const auto r = parse("{\n  \"a\": 1,\n  \"b\": tru\n}");
    BOOST_TEST(r.ec == error::parse_error);
    BOOST_TEST(r.message == "invalid JSON at line 3, column 8: syntax error");
    BOOST_TEST(r.value.is_null());
}

BOOST_AUTO_TEST_CASE(errors_at_the_ends)
{
    BOOST_TEST(parse("").message == "invalid JSON at line 1, column 1: incomplete JSON");
    BOOST_TEST(parse("{\"a\":").message == "invalid JSON at line 1, column 6: incomplete JSON");
    BOOST_TEST(parse("{} x").message == "invalid JSON at line 1, column 4: extra data");
    BOOST_TEST(parse("{}\n{}").message == "invalid JSON at line 2, column 1: extra data");
    BOOST_TEST(parse("  {}  \n").ec == boost::system::error_code());
}

BOOST_AUTO_TEST_CASE(trailing_commas_only_when_allowed)
{
    const std::string text = "{\n  \"a\": [1, 2,],\n  \"b\": 3,\n}";
    const auto strict = parse(text);
    BOOST_TEST(strict.ec == error::parse_error);
    BOOST_TEST(strict.message == "invalid JSON at line 2, column 14: syntax error");

    const auto lenient = parse(text, json_parse_options{.allow_trailing_commas = true});
    BOOST_TEST(!lenient.ec);
    BOOST_TEST(lenient.value.at("a").as_array().size() == 2u);
    BOOST_TEST(lenient.value.at("b") == 3);
}

BOOST_AUTO_TEST_CASE(size_limit)
{
    const json_parse_options opts{.max_size = 16};
    const std::string at_limit = R"({"k":"12345678"})";
    BOOST_REQUIRE(at_limit.size() == 16u);
    BOOST_TEST(!parse(at_limit, opts).ec);

    const auto over = parse(at_limit + " ", opts);
    BOOST_TEST(over.ec == error::response_too_large);
    BOOST_TEST(over.message == "JSON text of 17 bytes is over the limit of 16 bytes");

    // The default limit, 64 MiB: refused before any parsing.
    const std::string huge((64u << 20) + 1, ' ');
    BOOST_TEST(parse(huge).ec == error::response_too_large);
    BOOST_TEST(reject<batch>(huge).code == error::response_too_large);
}

BOOST_AUTO_TEST_CASE(depth_limit)
{
    BOOST_TEST(!parse(nested_arrays(64)).ec);
    const auto deeper = parse(nested_arrays(65));
    BOOST_TEST(deeper.ec == error::parse_error);
    BOOST_TEST(deeper.message == "invalid JSON at line 1, column 65: nested deeper than 64 levels");

    BOOST_TEST(!parse(nested_arrays(200), json_parse_options{.max_depth = 200}).ec);
}

BOOST_AUTO_TEST_CASE(very_deep_input_is_an_error_not_a_crash)
{
    BOOST_TEST(parse(nested_arrays(10000)).ec == error::parse_error);

    std::string objects;
    for (int i = 0; i < 10000; ++i)
        objects += R"({"a":)";
    objects += "1" + std::string(10000, '}');
    BOOST_TEST(parse(objects).ec == error::parse_error);

    // Deep nesting inside a field the model ignores is still refused by the parser.
    std::string batch_text = valid_batch;
    batch_text.insert(1, "\"future\":" + nested_arrays(10000) + ",");
    const auto r = reject<batch>(batch_text);
    BOOST_TEST(r.code == error::parse_error);
    BOOST_TEST(r.message.find("nested deeper than 64 levels") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(garbage)
{
    using namespace std::string_literals;
    for (const std::string& text : {"nul"s, "{"s, "}"s, "[1,]"s, "{'a':1}"s, "\"\xff\xfe\""s, "{\"a\" 1}"s, "01"s,
                                    "--1"s, "NaN"s, "\"unterminated"s, "{\"a\":\0}"s}) {
        BOOST_TEST_CONTEXT("text " << text)
        {
            BOOST_TEST(parse(text).ec == error::parse_error);
            BOOST_TEST(parse(text).message.rfind("invalid JSON at line 1, column ", 0) == 0u);
        }
    }
    // Valid JSON that is not a batch is a schema error, not a parse error.
    for (const char* text : {"1", "true", "[]", "{}", "\"batch\""})
        BOOST_TEST(reject<batch>(text).code == error::invalid_response);
}

BOOST_AUTO_TEST_CASE(random_bytes_and_mutated_batches_never_crash)
{
    std::mt19937 rng(20240611);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> choice(0, 3);
    const std::string original = valid_batch;
    int parse_errors = 0;
    int schema_errors = 0;
    int accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string text;
        if (i % 3 == 0) {
            text.resize(static_cast<std::size_t>(byte(rng)));
            for (char& c : text)
                c = static_cast<char>(byte(rng));
        } else {
            text = original;
            std::uniform_int_distribution<std::size_t> at(0, text.size() - 1);
            for (int edits = 1 + choice(rng); edits > 0; --edits) {
                switch (choice(rng)) {
                case 0: text[at(rng)] = static_cast<char>(byte(rng)); break;
                case 1: text.erase(at(rng) % text.size(), 1); break;
                case 2: text.insert(at(rng) % text.size(), 1, "{}[],:\"0"[byte(rng) % 8]); break;
                default: text.resize(at(rng) % text.size()); break;
                }
                if (text.empty())
                    break;
                at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1);
            }
        }
        try {
            (void)batchwire::parse_as<batch>(text);
            ++accepted;
        } catch (const batchwire::exception& e) {
            if (e.code() == error::parse_error)
                ++parse_errors;
            else if (e.code() == error::invalid_response)
                ++schema_errors;
            else
                BOOST_ERROR("unexpected error " << e.what());
        }
    }
    BOOST_TEST_MESSAGE("parse errors " << parse_errors << ", schema errors " << schema_errors << ", accepted "
                                       << accepted);
    BOOST_TEST(parse_errors > 1000);
    BOOST_TEST(schema_errors > 0);
    BOOST_TEST(accepted > 0);
}

BOOST_AUTO_TEST_CASE(convert_json_reports_instead_of_throwing)
{
    boost::system::error_code ec;
    diagnostics diag;
    const auto b = batchwire::convert_json<batch>(boost::json::value{{"id", 1}}, ec, diag);
    BOOST_TEST(ec == error::invalid_response);
    BOOST_TEST(diag.message == "batch.id: expected a string, got integer");
    BOOST_TEST(b.id.empty());
}

BOOST_AUTO_TEST_CASE(parse_as_throws_the_described_error)
{
    try {
        (void)batchwire::parse_as<batch>("{\"id\":");
        BOOST_ERROR("no exception");
    } catch (const batchwire::exception& e) {
        BOOST_TEST(e.code() == error::parse_error);
        BOOST_TEST(std::string(e.what()) == "parse_error: invalid JSON at line 1, column 7: incomplete JSON");
    }
    const batch b = batchwire::parse_as<batch>(valid_batch);
    BOOST_TEST(b.request_counts->completed == 2);
    BOOST_TEST(b.metadata->at("k") == "v");
}

BOOST_AUTO_TEST_SUITE_END()
