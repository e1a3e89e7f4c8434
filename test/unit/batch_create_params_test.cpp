// batch_create_params: client-side validation at each documented boundary, and its JSON.

#include <batchwire/batch_create_params.hpp>
#include <batchwire/json_parse.hpp>

#include "json_rejection.hpp"

#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using batchwire::batch_create_params;
using batchwire::error;
using batchwire::file_expiration;
using batchwire::test::reject;

namespace {

batch_create_params valid_params()
{
    batch_create_params p;
    p.input_file_id = "file-abc123";
    p.endpoint = "/v1/chat/completions";
    return p;
}

// The reason validate() gives, or "" when the parameters are valid.
std::string why_invalid(const batch_create_params& p)
{
    std::string why;
    const auto ec = p.validate(&why);
    if (!ec)
        return "";
    BOOST_TEST(ec == error::invalid_argument);
    BOOST_TEST(!why.empty());
    return why;
}

batch_create_params expiring_after(std::int64_t seconds, std::string anchor = "created_at")
{
    batch_create_params p = valid_params();
    p.output_expires_after = file_expiration{std::move(anchor), seconds};
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(create_params)

BOOST_AUTO_TEST_CASE(defaults_and_a_valid_request)
{
    BOOST_TEST(batch_create_params{}.completion_window == "24h");
    BOOST_TEST(file_expiration{}.anchor == "created_at");
    BOOST_TEST(why_invalid(valid_params()) == "");
    BOOST_TEST(!valid_params().validate()); // `why` is optional
}

BOOST_AUTO_TEST_CASE(the_documented_endpoints)
{
    for (const char* endpoint : {"/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
                                 "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos"}) {
        BOOST_TEST(batchwire::is_batch_endpoint(endpoint), endpoint);
        batch_create_params p = valid_params();
        p.endpoint = endpoint;
        BOOST_TEST(why_invalid(p) == "");
    }
    for (const char* endpoint : {"", "/v1/chat/completions/", "v1/chat/completions", "/v1/CHAT/completions",
                                 "/v1/files", "/v2/embeddings", "https://api.openai.com/v1/embeddings"})
        BOOST_TEST(!batchwire::is_batch_endpoint(endpoint), endpoint);

}

// The API adds batchable endpoints over time: one this version does not know is valid, and
// goes on the wire exactly as given; the server decides.
BOOST_AUTO_TEST_CASE(an_unknown_endpoint_is_sent_as_given)
{
    for (const char* endpoint : {"/v1/audio/speech", "/v2/embeddings", "/v1/chat/completions/", "v1/chat/completions",
                                 "/v1/CHAT/completions", "/v1/files", "https://api.openai.com/v1/embeddings", "/",
                                 "/v1/x?y=1", "/v1/\u00e9\"quoted\""}) {
        batch_create_params p = valid_params();
        p.endpoint = endpoint;
        BOOST_TEST(why_invalid(p) == "", endpoint);
        const boost::json::value v = boost::json::value_from(p);
        BOOST_TEST(v.at("endpoint") == endpoint);
        BOOST_TEST((boost::json::value_to<batch_create_params>(v) == p));
    }
    batch_create_params p = valid_params();
    p.endpoint = std::string(100'000, 'x'); // long: still the server's call
    BOOST_TEST(why_invalid(p) == "");
    BOOST_TEST(boost::json::value_from(p).at("endpoint").as_string().size() == 100'000u);

    p.endpoint.clear(); // no endpoint at all is not an endpoint
    BOOST_TEST(why_invalid(p) == "endpoint is empty");
}

BOOST_AUTO_TEST_CASE(input_file_id_and_window)
{
    batch_create_params p = valid_params();
    p.input_file_id.clear();
    BOOST_TEST(why_invalid(p) == "input_file_id is empty");

    p = valid_params();
    p.completion_window = "48h";
    BOOST_TEST(why_invalid(p) == R"(completion_window "48h" is not supported; the only window is "24h")");
}

BOOST_AUTO_TEST_CASE(metadata_limits)
{
    batch_create_params p = valid_params();
    p.metadata.emplace();
    for (int i = 0; i < 16; ++i)
        p.metadata->emplace("k" + std::to_string(i), "v");
    BOOST_TEST(why_invalid(p) == "");
    p.metadata->emplace("k16", "v");
    BOOST_TEST(why_invalid(p) == "metadata has 17 pairs; at most 16 are allowed");

    p.metadata = batchwire::metadata_map{{std::string(64, 'k'), std::string(512, 'v')}};
    BOOST_TEST(why_invalid(p) == "");
    p.metadata = batchwire::metadata_map{{std::string(65, 'k'), "v"}};
    BOOST_TEST(why_invalid(p) == "a metadata key has 65 characters; at most 64 are allowed");
    p.metadata = batchwire::metadata_map{{"k", std::string(513, 'v')}};
    BOOST_TEST(why_invalid(p) == R"(the value of metadata key "k" has 513 characters; at most 512 are allowed)");
}

BOOST_AUTO_TEST_CASE(output_expiration_range)
{
    BOOST_TEST(why_invalid(expiring_after(3600)) == "");
    BOOST_TEST(why_invalid(expiring_after(2592000)) == "");
    BOOST_TEST(why_invalid(expiring_after(3599)) ==
               "output_expires_after.seconds is 3599; it must be between 3600 and 2592000");
    BOOST_TEST(why_invalid(expiring_after(2592001)) ==
               "output_expires_after.seconds is 2592001; it must be between 3600 and 2592000");
    BOOST_TEST(why_invalid(expiring_after(0)) != "");
    BOOST_TEST(why_invalid(expiring_after(-3600)) != "");
    BOOST_TEST(why_invalid(expiring_after(86400, "expires_at")) ==
               R"(output_expires_after.anchor "expires_at" is not supported; the only anchor is "created_at")");
}

BOOST_AUTO_TEST_CASE(writes_only_what_is_set)
{
    const boost::json::value minimal = boost::json::value_from(valid_params());
    BOOST_TEST(minimal.as_object().size() == 3u);
    BOOST_TEST(minimal.at("input_file_id") == "file-abc123");
    BOOST_TEST(minimal.at("endpoint") == "/v1/chat/completions");
    BOOST_TEST(minimal.at("completion_window") == "24h");

    batch_create_params p = expiring_after(7200);
    p.metadata = batchwire::metadata_map{{"job", "nightly"}};
    const boost::json::value full = boost::json::value_from(p);
    BOOST_TEST(full.as_object().size() == 5u);
    BOOST_TEST(full.at("metadata").at("job") == "nightly");
    BOOST_TEST(full.at("output_expires_after").at("anchor") == "created_at");
    BOOST_TEST(full.at("output_expires_after").at("seconds") == 7200);
    BOOST_TEST((boost::json::value_to<batch_create_params>(full) == p));

    p.metadata = batchwire::metadata_map{}; // set, though empty: still written
    BOOST_TEST(boost::json::value_from(p).at("metadata").as_object().empty());
}

BOOST_AUTO_TEST_CASE(reading_names_the_field)
{
    BOOST_TEST(reject<batch_create_params>(R"({"endpoint":"/v1/embeddings","completion_window":"24h"})").message ==
               "batch_create_params.input_file_id: required field is missing");
    BOOST_TEST(reject<batch_create_params>(
                   R"({"input_file_id":"f","endpoint":"/v1/embeddings","completion_window":"24h",
                       "output_expires_after":{"anchor":"created_at","seconds":"1h"}})")
                   .message == "batch_create_params.output_expires_after.seconds: expected an integer, got string");
    const auto p = batchwire::parse_as<batch_create_params>(
        R"({"input_file_id":"f","endpoint":"/v1/embeddings","completion_window":"24h","metadata":null,
            "output_expires_after":null})");
    BOOST_TEST(!p.metadata);
    BOOST_TEST(!p.output_expires_after);
}

BOOST_AUTO_TEST_SUITE_END()
