// Every example response of the API reference parses into the model.
//
// The examples are the project's fixtures in test/data/api-examples (BATCHWIRE_API_EXAMPLES_DIR),
// one file each, kept exactly as the reference documents them. They contain trailing commas,
// which the API itself never sends: strict parsing must refuse them at the right spot, and
// json_parse_options::allow_trailing_commas must accept them. The list example also elides
// items as `{ ... }`, which is no JSON at all; that placeholder is removed explicitly before
// conversion.

#include <batchwire/batch.hpp>
#include <batchwire/file.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/page.hpp>

#include "error_printing.hpp"

#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
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

// One documented example: its name (the file name, e.g. "cancel_batch.json", read as
// "Cancel batch") and its text exactly as the reference shows it.
struct api_example {
    std::string label;
    std::string file;
    std::string text;
};

// "the_batch_object.json" -> "The batch object".
std::string label_of(const std::filesystem::path& file)
{
    std::string label = file.stem().string();
    std::replace(label.begin(), label.end(), '_', ' ');
    if (!label.empty() && label[0] >= 'a' && label[0] <= 'z')
        label[0] = static_cast<char>(label[0] - 'a' + 'A');
    return label;
}

// Every *.json file of `dir`, by file name.
std::vector<api_example> read_examples(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() == ".json")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());

    std::vector<api_example> examples;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        examples.push_back({label_of(file), file.filename().string(), text.str()});
    }
    return examples;
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

// Removes the reference's `{ ... }` elision lines; returns how many there were.
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

void check_example_metadata(const batch& b, const std::string& description)
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

// What each example must contain, by its name.
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
             check_example_metadata(b, "Nightly eval job");
         }},
        {"List batches",
         [](const api_object& o) {
             const batch_page& p = std::get<batch_page>(o);
             BOOST_REQUIRE(p.data.size() == 1u); // the second item is elided in the reference
             check_completed_batch(p.data[0]);
             BOOST_TEST(p.data[0].endpoint == "/v1/chat/completions");
             check_example_metadata(p.data[0], "Nightly job");
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
             check_example_metadata(b, "Nightly eval job");
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
             check_example_metadata(b, "Nightly eval job");
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

BOOST_AUTO_TEST_CASE(reader_names_examples_by_file_and_keeps_their_bytes)
{
    BOOST_TEST(label_of("the_batch_object.json") == "The batch object");
    BOOST_TEST(label_of("/some/dir/cancel_batch.json") == "Cancel batch");
    BOOST_TEST(label_of("x.json") == "X");

    const auto dir = std::filesystem::temp_directory_path() /
                     ("batchwire-api-examples-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "thing.json", std::ios::binary) << "{\n\n  \"a\": 1,\n}\n";
    std::ofstream(dir / "notes.txt", std::ios::binary) << "not an example\n";
    const auto examples = read_examples(dir);
    std::filesystem::remove_all(dir);
    BOOST_REQUIRE(examples.size() == 1u);
    BOOST_TEST(examples[0].label == "Thing");
    BOOST_TEST(examples[0].file == "thing.json");
    BOOST_TEST(examples[0].text == "{\n\n  \"a\": 1,\n}\n");
}

BOOST_AUTO_TEST_CASE(every_example_parses)
{
    BOOST_REQUIRE_MESSAGE(std::filesystem::is_directory(BATCHWIRE_API_EXAMPLES_DIR),
                          "cannot open " BATCHWIRE_API_EXAMPLES_DIR);
    const std::vector<api_example> blocks = read_examples(BATCHWIRE_API_EXAMPLES_DIR);

    const auto checks = expected_examples();
    std::set<std::string> seen;
    int parsed = 0;
    int skipped = 0;
    int with_trailing_commas = 0;
    int with_elisions = 0;
    for (api_example block : blocks) {
        BOOST_TEST_CONTEXT("example \"" << block.label << "\" in " << block.file)
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
    BOOST_TEST(with_trailing_commas == 8); // every documented example has one
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
