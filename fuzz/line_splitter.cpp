// The JSONL line splitter (jsonl_line_splitter) and what is built on it: the input
// reconciler, and the reader of downloaded output/error files (batch_line_reader), fed the
// same bytes whole and in chunks cut where the input says. Input layout:
//   byte 0        the line cap: 1 + byte (255: 1 MiB)
//   byte 1        bit 0: resubmit failed requests too; bits 1-7: stop after that many lines
//                 (0: never)
//   byte 2        n, then n bytes: the chunk sizes, used in turn (0 counts as 1)
//   the rest      the stream
// Properties:
//   - chunked and whole give the same lines with the same terminators, the same stop and
//     the same too_long; the reconciler gives the same resubmitted bytes, error and message;
//     the file reader hands out the same lines and stops with the same error and message,
//     and every error it gives is one of its typed ones with a message;
//   - no line passed is over the cap (its '\r' of a CRLF counted, as the splitter does);
//   - the lines with their terminators are the stream byte for byte, up to where it stopped,
//     and when it stopped for length the next line is indeed over the cap.

#include "batch_line_reader.hpp"
#include "fuzz_check.hpp"

#include <batchwire/error.hpp>

#include <batchwire/reconcile.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using batchwire::fuzz::check;

struct setup {
    std::size_t cap = 0;
    bool resubmit_failed = false;
    std::size_t stop_after = 0;
    std::vector<std::size_t> chunk_sizes;
    std::string_view stream;
};

struct split_run {
    std::vector<std::pair<std::string, std::string>> lines; // text, terminator
    bool ok = true;
    bool too_long = false;
    std::uint64_t line_number = 0;
    friend bool operator==(const split_run&, const split_run&) = default;
};

// Feeds `stream` in pieces of the sizes given in turn (the whole of it at once when none).
template <class Feed>
bool feed_in_chunks(std::string_view stream, const std::vector<std::size_t>& sizes, Feed&& feed)
{
    for (std::size_t i = 0; !stream.empty(); ++i) {
        const std::size_t n = sizes.empty() ? stream.size() : std::max<std::size_t>(1, sizes[i % sizes.size()]);
        if (!feed(stream.substr(0, n)))
            return false;
        stream.remove_prefix(std::min(n, stream.size()));
    }
    return true;
}

split_run split(const setup& s, const std::vector<std::size_t>& sizes)
{
    split_run r;
    batchwire::jsonl_line_splitter splitter(s.cap);
    const auto on_line = [&](std::string_view line, std::string_view terminator) {
        r.lines.emplace_back(line, terminator);
        return s.stop_after == 0 || r.lines.size() < s.stop_after;
    };
    r.ok = feed_in_chunks(s.stream, sizes, [&](std::string_view c) { return splitter.feed(c, on_line); });
    if (r.ok)
        r.ok = splitter.finish(on_line);
    r.too_long = splitter.too_long();
    r.line_number = splitter.line_number();
    return r;
}

void check_lines(const setup& s, const split_run& r)
{
    check(r.line_number == r.lines.size(), "line_number counts the lines passed");
    check(!r.too_long || !r.ok, "too long stops the splitting");
    std::string joined;
    for (const auto& [line, terminator] : r.lines) {
        check(terminator.empty() || terminator == "\n" || terminator == "\r\n", "a terminator is \\n, \\r\\n or none");
        check(line.find('\n') == std::string::npos, "a line holds no newline");
        check(line.size() + (terminator == "\r\n" ? 1 : 0) <= s.cap, "no line passed is over the cap");
        joined += line;
        joined += terminator;
    }
    check(s.stream.starts_with(joined), "the lines are the stream, byte for byte");
    if (r.ok)
        check(joined.size() == s.stream.size(), "a run to the end passes every byte");
    if (r.too_long) {
        const std::string_view rest = s.stream.substr(joined.size());
        check(rest.substr(0, rest.find('\n')).size() > s.cap, "a line refused as too long is over the cap");
    }
}

struct reconcile_run {
    std::string resubmitted;
    boost::system::error_code ec;
    std::string why;
    batchwire::results_counts counts;
    friend bool operator==(const reconcile_run&, const reconcile_run&) = default;
};

reconcile_run reconcile(const setup& s, const std::vector<std::size_t>& sizes)
{
    batchwire::results_reconciler results;
    results.add_result("a", batchwire::outcome::succeeded);
    results.add_result("b", batchwire::outcome::failed);
    results.add_result("c", batchwire::outcome::not_run);
    reconcile_run r;
    std::size_t writes = 0;
    batchwire::input_reconciler input(results, s.resubmit_failed, s.cap, [&](std::string_view bytes) {
        r.resubmitted += bytes;
        return s.stop_after == 0 || ++writes < 2 * s.stop_after;
    });
    if (feed_in_chunks(s.stream, sizes, [&](std::string_view c) { return input.feed(c, r.ec); }))
        input.finish(r.ec);
    r.why = input.why();
    check(!r.ec == r.why.empty(), "a reconciler error says why, and only an error");
    r.counts = results.counts();
    return r;
}

struct read_run {
    std::vector<std::string> custom_ids;
    boost::system::error_code ec;
    std::string failure;
    std::uint64_t lines = 0;
    friend bool operator==(const read_run&, const read_run&) = default;
};

read_run read_file(const setup& s, const std::vector<std::size_t>& sizes)
{
    read_run r;
    batchwire::batch_line_handler on_line = [&](batchwire::batch_output_line&& l, boost::system::error_code& ec) {
        r.custom_ids.push_back(l.custom_id);
        if (s.stop_after != 0 && r.custom_ids.size() >= s.stop_after)
            ec = batchwire::error::cancelled; // the handler's own stop
    };
    batchwire::detail::batch_line_reader reader({}, s.cap, on_line);
    if (feed_in_chunks(s.stream, sizes, [&](std::string_view c) { return reader.feed(c, r.ec); }))
        reader.finish(r.ec);
    r.failure = reader.failure();
    r.lines = reader.lines();
    check(!r.ec == r.failure.empty(), "a reader error says why, and only an error");
    check(!r.ec || r.ec == batchwire::error::invalid_response || r.ec == batchwire::error::response_too_large ||
              r.ec == batchwire::error::cancelled,
          "the reader's errors are typed");
    check(r.lines == r.custom_ids.size(), "lines() counts the lines handed out");
    return r;
}

setup read_setup(const std::uint8_t* data, std::size_t size)
{
    setup s;
    s.cap = data[0] == 255 ? std::size_t{1} << 20 : 1u + data[0];
    s.resubmit_failed = (data[1] & 1u) != 0;
    s.stop_after = data[1] >> 1;
    const std::size_t n = std::min<std::size_t>(data[2], size - 3);
    for (std::size_t i = 0; i < n; ++i)
        s.chunk_sizes.push_back(data[3 + i]);
    s.stream = std::string_view(reinterpret_cast<const char*>(data) + 3 + n, size - 3 - n);
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 3)
        return 0;
    const setup s = read_setup(data, size);
    const split_run whole = split(s, {});
    check_lines(s, whole);
    check(whole == split(s, s.chunk_sizes), "chunked gives what whole gives");
    check(whole == split(s, {1}), "byte by byte gives what whole gives");
    check(reconcile(s, {}) == reconcile(s, s.chunk_sizes), "the reconciler gives the same, chunked or whole");
    check(read_file(s, {}) == read_file(s, s.chunk_sizes), "the file reader gives the same, chunked or whole");
    return 0;
}
