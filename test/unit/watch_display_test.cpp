// The CLI's watch display (tools/cli/watch_display.cpp, compiled into the unit tests):
// the progress bar and the transition lines.

#include "../../tools/cli/watch_display.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

using namespace batchwire;
using batchwire::cli::progress_bar;
using batchwire::cli::transition_line;

namespace {

batch_request_counts counts(std::int64_t total, std::int64_t completed, std::int64_t failed)
{
    return batch_request_counts{total, completed, failed};
}

std::size_t count_of(const std::string& s, char c) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), c)); }

// "HH:MM:SS " at the front.
bool starts_with_clock(const std::string& s)
{
    if (s.size() < 9)
        return false;
    for (std::size_t i : {0u, 1u, 3u, 4u, 6u, 7u})
        if (!std::isdigit(static_cast<unsigned char>(s[i])))
            return false;
    return s[2] == ':' && s[5] == ':' && s[8] == ' ';
}

std::string read_all(std::FILE* f)
{
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[512];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
        out.append(buf, n);
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(watch_display)

BOOST_AUTO_TEST_CASE(bar_shows_done_total_percent_failed_and_status)
{
    const auto bar = progress_bar(counts(300, 38, 2), "in_progress", 80);
    BOOST_TEST(bar.front() == '[');
    BOOST_TEST(bar.find("]  40/300  13%  2 failed  in_progress") != std::string::npos, bar);
    BOOST_TEST(bar.size() == 79u); // the whole width but the last column
    const auto cells = count_of(bar, '#') + count_of(bar, '-');
    BOOST_TEST(count_of(bar, '#') == 40 * cells / 300); // rounded down
    // No failures: no "failed" part.
    const auto clean = progress_bar(counts(10, 5, 0), "in_progress", 80);
    BOOST_TEST(clean.find("failed") == std::string::npos, clean);
    BOOST_TEST(clean.find("  5/10  50%  in_progress") != std::string::npos, clean);
}

BOOST_AUTO_TEST_CASE(bar_is_full_when_everything_ran_and_empty_before)
{
    const auto full = progress_bar(counts(10, 7, 3), "finalizing", 80);
    BOOST_TEST(count_of(full, '-') == 0u, full);
    BOOST_TEST(full.find("10/10  100%  3 failed  finalizing") != std::string::npos, full);
    const auto empty = progress_bar(counts(10, 0, 0), "validating", 80);
    BOOST_TEST(count_of(empty, '#') == 0u, empty);
    BOOST_TEST(empty.find("0/10  0%") != std::string::npos, empty);
    // A batch without requests yet (validating: 0/0) is 0%, not a division by zero.
    const auto none = progress_bar(counts(0, 0, 0), "validating", 80);
    BOOST_TEST(none.find("0/0  0%") != std::string::npos, none);
    BOOST_TEST(count_of(none, '#') == 0u);
}

BOOST_AUTO_TEST_CASE(bar_clamps_counts_the_server_got_wrong)
{
    // More done than total, negative numbers: never more than full, never below empty.
    const auto over = progress_bar(counts(10, 12, 3), "in_progress", 80);
    BOOST_TEST(over.find("10/10  100%") != std::string::npos, over);
    BOOST_TEST(count_of(over, '-') == 0u, over);
    const auto negative = progress_bar(counts(-5, -1, 0), "in_progress", 80);
    BOOST_TEST(negative.find("0/0  0%") != std::string::npos, negative);
}

BOOST_AUTO_TEST_CASE(bar_fits_every_width)
{
    for (std::size_t width = 0; width <= 200; ++width) {
        for (const auto& c : {counts(300, 38, 2), counts(50000, 49999, 1), counts(0, 0, 0)}) {
            const auto bar = progress_bar(c, "in_progress", width);
            BOOST_TEST(bar.size() <= (width > 0 ? width - 1 : 0), "width " << width << ": " << bar);
            // At most 50 cells, however wide the terminal.
            BOOST_TEST(count_of(bar, '#') + count_of(bar, '-') <= 50u, "width " << width << ": " << bar);
        }
    }
    // Too narrow for ten cells: the numbers alone, from the start.
    const auto narrow = progress_bar(counts(300, 38, 2), "in_progress", 40);
    BOOST_TEST(narrow.front() != '[', narrow);
    BOOST_TEST(narrow.starts_with("40/300  13%"), narrow);
    BOOST_TEST(progress_bar(counts(300, 38, 2), "in_progress", 0).empty());
}

BOOST_AUTO_TEST_CASE(transition_lines)
{
    batch_transition first;
    first.to = batch_status::validating;
    first.snapshot.status = batch_status::validating;
    const auto a = transition_line(first);
    BOOST_TEST(starts_with_clock(a), a);
    BOOST_TEST(a.substr(9) == "validating", a); // no arrow, no counts

    batch_transition next;
    next.from = batch_status::in_progress;
    next.to = batch_status::cancelling;
    next.snapshot.status = batch_status::cancelling;
    next.snapshot.request_counts = counts(300, 40, 2);
    const auto b = transition_line(next);
    BOOST_TEST(b.substr(9) == "in_progress -> cancelling  completed 40/300 failed 2", b);

    // Progress reports have no arrow; a status newer than this build shows as sent.
    batch_transition progress = next;
    progress.from = batch_status::cancelling;
    progress.progress_only = true;
    BOOST_TEST(transition_line(progress).substr(9) == "cancelling  completed 40/300 failed 2");
    batch_transition newer;
    newer.to = batch_status::unknown;
    newer.snapshot.status_text = "paused";
    BOOST_TEST(transition_line(newer).substr(9) == "paused");
}

BOOST_AUTO_TEST_CASE(display_writes_plain_lines_or_redraws_a_bar)
{
    batch_transition t;
    t.to = batch_status::in_progress;
    t.snapshot.status = batch_status::in_progress;
    t.snapshot.request_counts = counts(10, 1, 0);
    batch_transition p = t;
    p.from = batch_status::in_progress;
    p.progress_only = true;
    p.snapshot.request_counts = counts(10, 5, 0);

    std::FILE* plain_out = std::tmpfile();
    BOOST_REQUIRE(plain_out);
    {
        cli::watch_display plain(plain_out, false);
        plain.show(t);
        plain.show(p);
        plain.note("a note");
        plain.finish();
    }
    const auto plain_text = read_all(plain_out);
    std::fclose(plain_out);
    BOOST_TEST(plain_text.find('\033') == std::string::npos, plain_text); // no escapes in a pipe
    BOOST_TEST(count_of(plain_text, '\n') == 3u, plain_text);              // one line each
    BOOST_TEST(plain_text.find("in_progress  completed 5/10 failed 0\n") != std::string::npos, plain_text);

    std::FILE* live_out = std::tmpfile();
    BOOST_REQUIRE(live_out);
    {
        cli::watch_display live(live_out, true);
        live.show(t);
        live.show(p); // no line: the bar is redrawn
        live.finish();
    }
    const auto live_text = read_all(live_out);
    std::fclose(live_out);
    BOOST_TEST(count_of(live_text, '\n') == 1u, live_text);
    BOOST_TEST(live_text.find("5/10  50%  in_progress") != std::string::npos, live_text);
    BOOST_TEST(live_text.ends_with("\r\033[K"), live_text); // finish() removed the bar
}

BOOST_AUTO_TEST_SUITE_END()

