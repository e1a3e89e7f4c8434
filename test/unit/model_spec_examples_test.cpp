// Every example response in the spec (BATCHWIRE_SPEC_FILE) parses into the model.
//
// The examples are YAML literal blocks (`response: |`, `example: |`). They contain trailing
// commas, which the API itself never sends: strict parsing must refuse them at the right
// spot, and json_parse_options::allow_trailing_commas must accept them. The list example
// also elides items as `{ ... }`, which is no JSON at all; that placeholder is removed
// explicitly before conversion.

#include <batchwire/batch.hpp>
#include <batchwire/file.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>

#include "error_printing.hpp"

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

using batchwire::batch;
using batchwire::batch_page;
using batchwire::batch_status;
using batchwire::error;
using batchwire::file_object;

namespace {

struct spec_block {
    std::string label; // the x-oaiMeta name above the block, e.g. "Cancel batch"
    std::size_t line;  // of the `response: |` key in the YAML file
    std::string text;
};

std::size_t indent_of(const std::string& line)
{
    const std::size_t n = line.find_first_not_of(' ');
    return n == std::string::npos ? line.size() : n;
}

bool is_blank(const std::string& line)
{
    return line.find_first_not_of(' ') == std::string::npos;
}

// The `response: |` and `example: |` literal blocks: the lines indented deeper than the
// key, with the block's own indentation removed (YAML's default "clip" keeps one final newline).
std::vector<spec_block> literal_blocks(std::istream& yaml)
{
    std::vector<std::string> lines;
    for (std::string line; std::getline(yaml, line);)
        lines.push_back(line);

    std::vector<spec_block> blocks;
    std::string label;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t key_indent = indent_of(lines[i]);
        const std::string key = lines[i].substr(key_indent);
        if (key.rfind("name: ", 0) == 0)
            label = key.substr(6);
        if (key != "response: |" && key != "example: |")
            continue;
        std::size_t end = i + 1;
        while (end < lines.size() && (is_blank(lines[end]) || indent_of(lines[end]) > key_indent))
            ++end;
        while (end > i + 1 && is_blank(lines[end - 1]))
            --end;
        if (end == i + 1)
            continue;
        const std::size_t block_indent = indent_of(lines[i + 1]);
        spec_block b{label, i + 1, {}};
        for (std::size_t j = i + 1; j < end; ++j) {
            if (!is_blank(lines[j]))
                b.text += lines[j].substr(block_indent);
            b.text += '\n';
        }
        blocks.push_back(std::move(b));
        i = end - 1;
    }
    return blocks;
}

// "line L, column C" of the bracket that follows the first trailing comma, found without
// the library: a ',' outside strings followed by whitespace and '}' or ']'.
std::string first_trailing_comma_spot(const std::string& text)
{
    bool in_string = false;
    bool escaped = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            continue;
        }
        if (c != ',')
            continue;
        const std::size_t next = text.find_first_not_of(" \t\r\n", i + 1);
        if (next == std::string::npos || (text[next] != '}' && text[next] != ']'))
            continue;
        std::size_t line = 1;
        std::size_t line_start = 0;
        for (std::size_t j = 0; j < next; ++j)
            if (text[j] == '\n') {
                ++line;
                line_start = j + 1;
            }
        return "line " + std::to_string(line) + ", column " + std::to_string(next - line_start + 1);
    }
    return {};
}

// Removes the spec's `{ ... }` elision lines; returns how many there were.
int remove_elisions(std::string& text)
{
    int removed = 0;
    for (std::size_t at; (at = text.find("{ ... }")) != std::string::npos; ++removed) {
        const std::size_t line_start = text.rfind('\n', at) + 1;
        const std::size_t line_end = text.find('\n', at);
        text.erase(line_start, line_end - line_start + 1);
    }
    return removed;
}

boost::json::value parse_lenient(const std::string& text, boost::system::error_code& ec, std::string& message)
{
    batchwire::diagnostics diag;
    auto v = batchwire::parse_json(text, ec, diag, batchwire::json_parse_options{.allow_trailing_commas = true});
    message = diag.message;
    return v;
}

template <class T>
T convert_losslessly(const boost::json::value& v)
{
    const T t = boost::json::value_to<T>(v);
    BOOST_TEST((boost::json::value_to<T>(boost::json::value_from(t)) == t));
    return t;
}

void check_spec_metadata(const batch& b, const std::string& description)
{
    BOOST_REQUIRE(b.metadata.has_value());
    BOOST_TEST(b.metadata->size() == 2u);
    BOOST_TEST(b.metadata->at("customer_id") == "user_123456789");
    BOOST_TEST(b.metadata->at("batch_description") == description);
}

void check_completed_batch(const batch& b)
{
    BOOST_TEST(b.id == "batch_abc123");
    BOOST_TEST((b.status == batch_status::completed));
    BOOST_TEST(b.is_terminal());
    BOOST_TEST(*b.output_file_id == "file-cvaTdG");
    BOOST_TEST(*b.error_file_id == "file-HOWS94");
    BOOST_TEST(*b.in_progress_at == 1711471538);
    BOOST_TEST(*b.expires_at == 1711557933);
    BOOST_TEST(*b.finalizing_at == 1711493133);
    BOOST_TEST(*b.completed_at == 1711493163);
    BOOST_TEST(!b.failed_at);
    BOOST_TEST(!b.cancelled_at);
    BOOST_TEST((*b.request_counts == batchwire::batch_request_counts{100, 95, 5}));
}

void check_uploaded_file(const file_object& f)
{
    BOOST_TEST(f.id == "file-abc123");
    BOOST_TEST(f.bytes == 120000);
    BOOST_TEST(f.created_at == 1677610602);
    BOOST_TEST(*f.expires_at == 1677614202);
    BOOST_TEST(f.filename == "mydata.jsonl");
    BOOST_TEST(f.purpose == "fine-tune");
    BOOST_TEST(f.status.empty()); // deprecated, and absent from the examples
}

// The three kinds of object the examples hold, told apart by their `object` tag.
using api_object = std::variant<batch, batch_page, file_object>;

api_object convert_by_tag(const boost::json::value& v)
{
    const std::string tag(v.at("object").as_string());
    if (tag == "batch")
        return convert_losslessly<batch>(v);
    if (tag == "list")
        return convert_losslessly<batch_page>(v);
    if (tag == "file")
        return convert_losslessly<file_object>(v);
    throw std::runtime_error("unexpected object tag \"" + tag + "\"");
}

using check_function = std::function<void(const api_object&)>;

// What each example must contain, by its x-oaiMeta name.
std::map<std::string, check_function> expected_examples()
{
    return {
        {"Create batch",
         [](const api_object& o) {
             const batch& b = std::get<batch>(o);
             BOOST_TEST(b.id == "batch_abc123");
             BOOST_TEST(b.endpoint == "/v1/chat/completions");
             BOOST_TEST(b.input_file_id == "file-abc123");
             BOOST_TEST(b.completion_window == "24h");
             BOOST_TEST((b.status == batch_status::validating));
             BOOST_TEST(b.status_text == "validating");
             BOOST_TEST(b.created_at == 1711471533);
             BOOST_TEST(!b.errors);
             BOOST_TEST(!b.output_file_id);
             BOOST_TEST(!b.in_progress_at);
             BOOST_TEST(!b.expires_at);
             BOOST_TEST(!b.model);
             BOOST_TEST(!b.usage);
             BOOST_TEST((*b.request_counts == batchwire::batch_request_counts{0, 0, 0}));
             check_spec_metadata(b, "Nightly eval job");
         }},
        {"List batches",
         [](const api_object& o) {
             const batch_page& p = std::get<batch_page>(o);
             BOOST_REQUIRE(p.data.size() == 1u); // the second item is elided in the spec
             check_completed_batch(p.data[0]);
             BOOST_TEST(p.data[0].endpoint == "/v1/chat/completions");
             check_spec_metadata(p.data[0], "Nightly job");
             BOOST_TEST(*p.first_id == "batch_abc123");
             BOOST_TEST(*p.last_id == "batch_abc456");
             BOOST_TEST(p.has_more);
             BOOST_TEST(*p.next_cursor() == "batch_abc123");
         }},
        {"Retrieve batch",
         [](const api_object& o) {
             const batch& b = std::get<batch>(o);
             check_completed_batch(b);
             BOOST_TEST(b.endpoint == "/v1/completions");
             check_spec_metadata(b, "Nightly eval job");
         }},
        {"Cancel batch",
         [](const api_object& o) {
             const batch& b = std::get<batch>(o);
             BOOST_TEST((b.status == batch_status::cancelling));
             BOOST_TEST(!b.is_terminal());
             BOOST_TEST(*b.cancelling_at == 1711475133);
             BOOST_TEST(!b.cancelled_at);
             BOOST_TEST(*b.in_progress_at == 1711471538);
             BOOST_TEST(!b.finalizing_at);
             BOOST_TEST(!b.output_file_id);
             BOOST_TEST((*b.request_counts == batchwire::batch_request_counts{100, 23, 1}));
         }},
        {"Upload file", [](const api_object& o) { check_uploaded_file(std::get<file_object>(o)); }},
        {"Retrieve file", [](const api_object& o) { check_uploaded_file(std::get<file_object>(o)); }},
        {"The batch object",
         [](const api_object& o) {
             const batch& b = std::get<batch>(o);
             check_completed_batch(b);
             BOOST_TEST(*b.model == "gpt-5-2025-08-07");
             BOOST_TEST((*b.usage == batchwire::batch_usage{1500, 1024, 500, 300, 2000}));
             check_spec_metadata(b, "Nightly eval job");
         }},
        {"The file object",
         [](const api_object& o) {
             const file_object& f = std::get<file_object>(o);
             BOOST_TEST(f.filename == "salesOverview.pdf");
             BOOST_TEST(f.purpose == "assistants");
             BOOST_TEST(f.bytes == 120000);
             BOOST_TEST(*f.expires_at == 1680202602);
         }},
    };
}

// The one example that may legitimately not be JSON: file content is raw bytes.
const std::set<std::string> non_json_examples{"Retrieve file content"};

} // namespace

BOOST_AUTO_TEST_SUITE(model_spec_examples)

BOOST_AUTO_TEST_CASE(extractor_reads_literal_blocks_by_indentation)
{
    std::istringstream yaml("      x-oaiMeta:\n"
                            "        name: Thing\n"
                            "        response: |\n"
                            "          {\n"
                            "\n"
                            "            \"a\": 1\n"
                            "          }\n"
                            "\n"
                            "      next: 2\n");
    const auto blocks = literal_blocks(yaml);
    BOOST_REQUIRE(blocks.size() == 1u);
    BOOST_TEST(blocks[0].label == "Thing");
    BOOST_TEST(blocks[0].line == 3u);
    BOOST_TEST(blocks[0].text == "{\n\n  \"a\": 1\n}\n");
}

BOOST_AUTO_TEST_CASE(every_example_parses)
{
    std::ifstream yaml(BATCHWIRE_SPEC_FILE);
    BOOST_REQUIRE_MESSAGE(yaml, "cannot open " BATCHWIRE_SPEC_FILE);
    const std::vector<spec_block> blocks = literal_blocks(yaml);

    const auto checks = expected_examples();
    std::set<std::string> seen;
    int parsed = 0;
    int skipped = 0;
    int with_trailing_commas = 0;
    int with_elisions = 0;
    for (spec_block block : blocks) {
        BOOST_TEST_CONTEXT("example \"" << block.label << "\" at spec line " << block.line)
        {
            // Strict parsing refuses a trailing comma at the bracket that follows it.
            const std::string spot = first_trailing_comma_spot(block.text);
            boost::system::error_code ec;
            batchwire::diagnostics diag;
            (void)batchwire::parse_json(block.text, ec, diag);
            if (!spot.empty()) {
                ++with_trailing_commas;
                BOOST_TEST(ec == error::parse_error);
                BOOST_TEST(diag.message == "invalid JSON at " + spot + ": syntax error");
            }

            std::string message;
            boost::json::value v = parse_lenient(block.text, ec, message);
            if (ec && block.text.find("{ ... }") != std::string::npos) {
                // The elision is where the lenient parse stops: at its first '.'.
                BOOST_TEST(message.find("syntax error") != std::string::npos);
                with_elisions += remove_elisions(block.text);
                v = parse_lenient(block.text, ec, message);
            }
            if (ec && non_json_examples.count(block.label)) {
                ++skipped;
                continue;
            }
            BOOST_REQUIRE_MESSAGE(!ec, message);
            ++parsed;
            seen.insert(block.label);

            const auto check = checks.find(block.label);
            BOOST_REQUIRE_MESSAGE(check != checks.end(), "no expectations for this example");
            check->second(convert_by_tag(v));
        }
    }
    BOOST_TEST(parsed == 8);
    BOOST_TEST(skipped == 0);
    BOOST_TEST(with_trailing_commas == 8); // every example in this spec copy has one
    BOOST_TEST(with_elisions == 1);        // "List batches"
    std::set<std::string> expected;
    for (const auto& [label, check] : checks)
        expected.insert(label);
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(elided_list_is_refused_at_the_placeholder)
{
    const std::string text = "{\"object\":\"list\",\"data\":[\n  { ... },\n],\"has_more\":false}";
    boost::system::error_code ec;
    std::string message;
    (void)parse_lenient(text, ec, message);
    BOOST_TEST(ec == error::parse_error);
    BOOST_TEST(message == "invalid JSON at line 2, column 5: syntax error");
}

BOOST_AUTO_TEST_SUITE_END()
