// The JSONL splitter over chunks: every split point, CRLF split in two, the line cap.

#include <batchwire/results_line_splitter.hpp>

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

using batchwire::jsonl_line_splitter;
using lines = std::vector<std::pair<std::string, std::string>>; // (line, terminator)

namespace {

// Feeds `text` cut at the given offsets (ascending) and collects the lines.
lines split(std::string_view text, const std::vector<std::size_t>& cuts, std::size_t max = 1024)
{
    jsonl_line_splitter s(max);
    lines out;
    auto collect = [&](std::string_view l, std::string_view t) {
        out.emplace_back(std::string(l), std::string(t));
        return true;
    };
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        BOOST_REQUIRE(s.feed(text.substr(from, cut - from), collect));
        from = cut;
    }
    BOOST_REQUIRE(s.feed(text.substr(from), collect));
    BOOST_REQUIRE(s.finish(collect));
    return out;
}

const std::string sample = "{\"a\":1}\r\n\n{\"b\":\"x\\ny\"}\n\r\n{\"c\":3}";
const lines sample_lines{
    {"{\"a\":1}", "\r\n"}, {"", "\n"}, {"{\"b\":\"x\\ny\"}", "\n"}, {"", "\r\n"}, {"{\"c\":3}", ""}};

} // namespace

BOOST_AUTO_TEST_SUITE(results_line_splitter)

BOOST_AUTO_TEST_CASE(whole)
{
    BOOST_TEST(split(sample, {}) == sample_lines);
}

BOOST_AUTO_TEST_CASE(every_single_split_point)
{
    for (std::size_t cut = 0; cut <= sample.size(); ++cut)
        BOOST_TEST_CONTEXT("cut at " << cut) { BOOST_TEST(split(sample, {cut}) == sample_lines); }
}

BOOST_AUTO_TEST_CASE(every_pair_of_split_points)
{
    for (std::size_t a = 0; a <= sample.size(); ++a)
        for (std::size_t b = a; b <= sample.size(); ++b)
            BOOST_TEST_CONTEXT("cuts at " << a << ", " << b) { BOOST_TEST(split(sample, {a, b}) == sample_lines); }
}

BOOST_AUTO_TEST_CASE(one_byte_at_a_time)
{
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < sample.size(); ++i)
        cuts.push_back(i);
    BOOST_TEST(split(sample, cuts) == sample_lines);
}

BOOST_AUTO_TEST_CASE(edges)
{
    BOOST_TEST(split("", {}).empty());
    BOOST_TEST(split("\n", {}) == (lines{{"", "\n"}}));
    BOOST_TEST(split("x", {}) == (lines{{"x", ""}}));
    BOOST_TEST(split("x\n", {}) == (lines{{"x", "\n"}}));
    BOOST_TEST(split("\r\n", {1}) == (lines{{"", "\r\n"}}));
    // A lone '\r' without '\n' belongs to the line; only CRLF is a terminator.
    BOOST_TEST(split("a\rb\n", {2}) == (lines{{"a\rb", "\n"}}));
    BOOST_TEST(split("x\r", {}) == (lines{{"x\r", ""}}));
}

BOOST_AUTO_TEST_CASE(line_numbers)
{
    jsonl_line_splitter s(100);
    std::vector<std::uint64_t> numbers;
    auto f = [&](std::string_view, std::string_view) {
        numbers.push_back(s.line_number());
        return true;
    };
    BOOST_TEST(s.feed("a\nb", f));
    BOOST_TEST(s.feed("\nc", f));
    BOOST_TEST(s.finish(f));
    BOOST_TEST(numbers == (std::vector<std::uint64_t>{1, 2, 3}));
    BOOST_TEST(s.line_number() == 3u);
}

BOOST_AUTO_TEST_CASE(line_cap_at_every_split_point)
{
    const std::string text = "12345\n123456\n";
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        BOOST_TEST_CONTEXT("cut at " << cut)
        {
            jsonl_line_splitter s(5);
            std::vector<std::string> got;
            auto f = [&](std::string_view l, std::string_view) {
                got.emplace_back(l);
                return true;
            };
            const bool ok = s.feed(text.substr(0, cut), f) && s.feed(text.substr(cut), f);
            BOOST_TEST(!ok);
            BOOST_TEST(s.too_long());
            BOOST_TEST(got == std::vector<std::string>{"12345"}); // 5 bytes is within the cap
        }
    }
    jsonl_line_splitter zero(0);
    BOOST_TEST(zero.feed("\n", [](std::string_view, std::string_view) { return true; }));
    BOOST_TEST(!zero.feed("x", [](std::string_view, std::string_view) { return true; }));
}

BOOST_AUTO_TEST_CASE(handler_stops_the_split)
{
    jsonl_line_splitter s(100);
    int calls = 0;
    auto stop_at_second = [&](std::string_view, std::string_view) { return ++calls < 2; };
    BOOST_TEST(!s.feed("a\nb\nc\n", stop_at_second));
    BOOST_TEST(calls == 2);
    BOOST_TEST(!s.too_long());
}

BOOST_AUTO_TEST_SUITE_END()
