// batch_line_reader: a downloaded output/error file into parsed lines, whatever the chunks.
// Blank lines, CRLF, a last line without newline, the line cap, a line that is not a batch
// line, and a handler that stops the reading, each at every split point.

#include "../../src/batch_line_reader.hpp"
#include "error_printing.hpp"

#include <batchwire/error.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

using batchwire::batch_output_line;
using batchwire::detail::batch_line_reader;
using batchwire::error;

namespace {

std::string line_of(const std::string& id)
{
    return R"({"id":"batch_req_1","custom_id":")" + id +
           R"(","response":{"status_code":200,"request_id":"req_1","body":{}},"error":null})";
}

struct outcome_of_read {
    std::vector<std::string> ids;
    boost::system::error_code ec;
    std::string failure;
};

// Reads `text` cut once at `cut`; the handler stops (cancelled) after `stop_after` lines.
outcome_of_read read(const std::string& text, std::size_t cut, std::size_t max_line, std::size_t stop_after = 0)
{
    outcome_of_read r;
    batchwire::batch_line_handler on_line = [&](batch_output_line&& l, boost::system::error_code& ec) {
        r.ids.push_back(l.custom_id);
        if (stop_after != 0 && r.ids.size() == stop_after)
            ec = error::cancelled;
    };
    batch_line_reader reader({}, max_line, on_line);
    if (reader.feed(std::string_view(text).substr(0, cut), r.ec) && reader.feed(std::string_view(text).substr(cut), r.ec))
        reader.finish(r.ec);
    BOOST_TEST(reader.lines() == r.ids.size());
    r.failure = reader.failure();
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_line_reading)

BOOST_AUTO_TEST_CASE(every_split_point_gives_the_same_lines)
{
    const std::string a = line_of("a"), b = line_of("b");
    struct row {
        std::string name;
        std::string text;
        std::size_t max_line;
        std::size_t stop_after;
        std::vector<std::string> ids;
        std::optional<error> ec;
        std::string failure_has;
    };
    const std::vector<row> rows{
        {"empty", "", 1024, 0, {}, {}, ""},
        {"blank lines skipped", "\n \t\r\n" + a + "\n\n" + b + "\n\n", 1024, 0, {"a", "b"}, {}, ""},
        {"CRLF", a + "\r\n" + b + "\r\n", 1024, 0, {"a", "b"}, {}, ""},
        {"last line without newline", a + "\n" + b, 1024, 0, {"a", "b"}, {}, ""},
        {"a line exactly at the cap", a + "\n", a.size(), 0, {"a"}, {}, ""},
        {"one byte over the cap", b + "\n" + a + "x\n", a.size(), 0, {"b"}, error::response_too_large,
         "line 2 is longer than"},
        {"not JSON", a + "\n{\"id\":\n" + b + "\n", 1024, 0, {"a"}, error::invalid_response, "line 2:"},
        {"JSON but not a batch line", "[1]\n", 1024, 0, {}, error::invalid_response, "line 1:"},
        {"a blank line still counts", "\n\n[1]\n", 1024, 0, {}, error::invalid_response, "line 3:"},
        {"the handler stops", a + "\n" + b + "\n" + a + "\n", 1024, 2, {"a", "b"}, error::cancelled,
         "the line handler stopped at line 2"},
    };
    for (const auto& r : rows)
        for (std::size_t cut = 0; cut <= r.text.size(); ++cut) {
            BOOST_TEST_CONTEXT(r.name << ", cut at " << cut)
            {
                const auto got = read(r.text, cut, r.max_line, r.stop_after);
                BOOST_TEST(got.ids == r.ids, boost::test_tools::per_element());
                BOOST_TEST(got.ec == (r.ec ? make_error_code(*r.ec) : boost::system::error_code{}));
                BOOST_TEST(got.failure.find(r.failure_has) != std::string::npos);
                BOOST_TEST(got.failure.empty() == !r.ec.has_value());
            }
        }
}

BOOST_AUTO_TEST_SUITE_END()
