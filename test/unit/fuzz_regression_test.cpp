// Every finding of the fuzz targets (fuzz/), replayed: the inputs are in
// test/data/fuzz-regressions/<target>/, and the memory budget of parse_json is held to
// refusing text of tiny values while realistic documents fit.

#include <batchwire/batch.hpp>
#include <batchwire/batch_line.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>
#include <batchwire/webhook_verifier.hpp>

#include "json_rejection.hpp"

#include "../../src/header_field.hpp"
#include "../../src/origin.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <string>

using batchwire::error;
using batchwire::test::reject;

namespace {

std::string finding(const std::string& name)
{
    std::ifstream in(std::string(BATCHWIRE_FUZZ_REGRESSIONS_DIR) + "/" + name, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "missing regression input " << name);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct parsed {
    boost::system::error_code ec;
    std::string message;
};

parsed parse(std::string_view text, const batchwire::json_parse_options& opts = {})
{
    parsed r;
    batchwire::diagnostics d;
    (void)batchwire::parse_json(text, r.ec, d, opts);
    r.message = d.message;
    return r;
}

// "[0,0,...,0]" of about `bytes` bytes, between `before` and `after`.
std::string zeros(std::size_t bytes, std::string_view before = {}, std::string_view after = {})
{
    std::string s(before);
    s += '[';
    while (s.size() + 2 + after.size() < bytes)
        s += "0,";
    s += "0]";
    s += after;
    return s;
}

// "[{},{},...,{}]" of about `bytes` bytes.
std::string empty_objects(std::size_t bytes)
{
    std::string s = "[";
    while (s.size() + 3 < bytes)
        s += "{},";
    s += "{}]";
    return s;
}

// A conversion that runs out of memory.
struct allocation_failure {};
allocation_failure tag_invoke(boost::json::value_to_tag<allocation_failure>, const boost::json::value&)
{
    throw std::bad_alloc();
}

} // namespace

BOOST_AUTO_TEST_SUITE(fuzz_regression)

// batch_lines: 1e310 parsed as infinity, was written back as text that no longer parsed.
BOOST_AUTO_TEST_CASE(numbers_beyond_a_double_are_refused)
{
    for (const char* name : {"batch_lines/infinite-input-body.jsonl", "batch_lines/infinite-output-body.jsonl"}) {
        BOOST_TEST_CONTEXT(name)
        {
            const std::string line = finding(name);
            const auto r = parse(line);
            BOOST_TEST(r.ec == error::parse_error);
            BOOST_TEST(r.message == "invalid JSON: a number is beyond the range of a double");
            BOOST_TEST(reject<batchwire::batch_input_line>(line).code == error::parse_error);
            BOOST_TEST(reject<batchwire::batch_output_line>(line).code == error::parse_error);
        }
    }
    const struct {
        const char* text;
        bool accepted;
    } numbers[] = {{"1e308", true},  {"1.7976931348623157e308", true}, {"1e309", false}, {"-1e400", false},
                   {"1e-400", true}, {"[0,{\"a\":[2e400]}]", false},    {"-0", true}};
    for (const auto& n : numbers)
        BOOST_TEST(!parse(n.text).ec == n.accepted, n.text);
}

BOOST_AUTO_TEST_CASE(accepted_lines_round_trip)
{
    const auto l = batchwire::parse_as<batchwire::batch_input_line>(R"({"custom_id":"","body":1.7976931348623157e308})");
    const std::string written = boost::json::serialize(boost::json::value_from(l));
    BOOST_TEST((batchwire::parse_as<batchwire::batch_input_line>(written) == l));
}

// model_json: a page's elements were given room (592 bytes each) before any was checked.
BOOST_AUTO_TEST_CASE(junk_elements_are_refused_at_the_first)
{
    const auto page = reject<batchwire::batch_page>(finding("model_json/page-of-zeros.json"));
    BOOST_TEST(page.code == error::invalid_response);
    BOOST_TEST(page.message == "page.data[0]: expected an object, got integer");
    const auto errors = reject<batchwire::batch>(finding("model_json/errors-of-zeros.json"));
    BOOST_TEST(errors.code == error::invalid_response);
    BOOST_TEST(errors.message == "batch.errors.data[0]: expected an object, got integer");
}

// A text of tiny values takes 8 to 24 times its size as a JSON value: refused at its budget.
BOOST_AUTO_TEST_CASE(text_of_tiny_values_is_refused_at_its_budget)
{
    const std::string cases[] = {zeros(1 << 20), zeros(1 << 20, R"({"object":"list","data":)", R"(,"has_more":false})"),
                                 empty_objects(1 << 20)};
    for (const auto& text : cases) {
        const auto r = parse(text);
        BOOST_TEST(r.ec == error::response_too_large);
        BOOST_TEST(r.message.find("needs more memory than its budget") != std::string::npos, r.message);
        BOOST_TEST(reject<batchwire::batch_page>(text).code == error::response_too_large);
    }
    // Small texts get a floor: a few tiny values are fine.
    BOOST_TEST(!parse(zeros(1024)).ec);
    // The budget follows memory_per_byte.
    batchwire::json_parse_options generous;
    generous.memory_per_byte = 64;
    BOOST_TEST(!parse(zeros(1 << 20), generous).ec);
}

BOOST_AUTO_TEST_CASE(realistic_documents_fit_their_budget)
{
    batchwire::batch_page page;
    for (int i = 0; i < 100; ++i) {
        batchwire::batch b;
        b.id = "batch_" + std::to_string(1000000 + i);
        b.endpoint = "/v1/chat/completions";
        b.input_file_id = "file-abc";
        b.completion_window = "24h";
        b.status = batchwire::batch_status::in_progress;
        b.status_text = "in_progress";
        b.created_at = 1711471533;
        b.request_counts = batchwire::batch_request_counts{100, 50, 1};
        b.metadata = batchwire::metadata_map{{"k", "v"}};
        page.data.push_back(b);
    }
    const std::string text = boost::json::serialize(boost::json::value_from(page));
    BOOST_TEST((batchwire::parse_as<batchwire::batch_page>(text) == page));

    // Output lines of arrays of numbers: embeddings, and logprobs' byte arrays of small integers.
    std::string embedding = R"({"custom_id":"e","response":{"status_code":200,"request_id":"r","body":{"embedding":[)";
    for (int i = 0; i < 3072; ++i)
        embedding += (i ? ",-0.0" : "-0.0") + std::to_string(1000000 + i * 7919 % 8999999);
    embedding += "]}}}";
    BOOST_TEST(!parse(embedding).ec);
    std::string logprobs = R"({"custom_id":"l","response":{"status_code":200,"request_id":"r","body":{"content":[)";
    for (int i = 0; i < 2000; ++i)
        logprobs += std::string(i ? "," : "") +
                    R"({"token":" the","logprob":-0.0001,"bytes":[32,116,104,101],"top_logprobs":[{"token":" a","logprob":-9.5,"bytes":[32,97]}]})";
    logprobs += "]}}}";
    BOOST_TEST(!parse(logprobs).ec);
}

// A conversion that runs out of memory is not a schema mismatch.
BOOST_AUTO_TEST_CASE(out_of_memory_is_not_invalid_response)
{
    boost::system::error_code ec;
    batchwire::diagnostics d;
    (void)batchwire::convert_json<allocation_failure>(boost::json::value(1), ec, d);
    BOOST_TEST(ec == error::response_too_large);
    BOOST_TEST(d.message == "out of memory converting the response");
}

// client_config: a percent-encoded newline in the host name was decoded into the host used
// for name resolution and SNI.
BOOST_AUTO_TEST_CASE(host_names_hold_no_control_characters)
{
    const std::string urls[] = {finding("client_config/host-with-newlines"), "https://api%0D%0A.openai.com/v1",
                                "https://a%20b/v1", "http://a%00b/", "https://a%7Fb/"};
    for (const auto& url : urls) {
        boost::system::error_code ec;
        std::string why;
        (void)batchwire::detail::parse_origin(url, ec, why);
        BOOST_TEST(ec == error::invalid_base_url, url);
        BOOST_TEST(why == "the host name holds a control character or a space");
    }
    boost::system::error_code ec;
    std::string why;
    (void)batchwire::detail::parse_origin(finding("client_config/port-with-letter"), ec, why);
    BOOST_TEST(ec == error::invalid_base_url);
    ec = {};
    const auto o = batchwire::detail::parse_origin("https://api%2Dx.example/v1", ec, why);
    BOOST_TEST(!ec);
    BOOST_TEST(o.host == "api-x.example");
}

// webhook (found in Boost, not in batchwire): Beast 1.81's iequals read one byte past a name
// whose last character differed only in case from the one it was compared with. The
// reserved-header check compares names that end their buffer; under ASan this fails if it
// reads past the end.
BOOST_AUTO_TEST_CASE(reserved_header_names_are_compared_within_their_bytes)
{
    const std::string_view names[] = {"HOST", "Authorization", "CONTENT-LENGTH", "Upgrade", "Hosts", "x-host"};
    const bool reserved[] = {true, true, true, true, false, false};
    for (std::size_t i = 0; i < std::size(names); ++i) {
        const auto bytes = std::make_unique<char[]>(names[i].size()); // no byte after the name
        std::copy(names[i].begin(), names[i].end(), bytes.get());
        BOOST_TEST(batchwire::detail::is_reserved_header({bytes.get(), names[i].size()}) == reserved[i], names[i]);
    }
}

BOOST_AUTO_TEST_CASE(webhook_header_names_are_compared_within_their_bytes)
{
    const std::string_view names[] = {"webhooK-id", "WEBHOOK-TIMESTAMP", "Webhook-Signature", "webhook-ids"};
    for (const auto name : names) {
        const auto bytes = std::make_unique<char[]>(name.size()); // no byte after the name
        std::copy(name.begin(), name.end(), bytes.get());
        batchwire::webhook_headers h;
        h.add({bytes.get(), name.size()}, "v");
        const int set = int(h.id.has_value()) + int(h.timestamp.has_value()) + int(h.signature.has_value());
        BOOST_TEST(set == (name == "webhook-ids" ? 0 : 1), name);
    }
}

BOOST_AUTO_TEST_SUITE_END()
