#ifndef BATCHWIRE_SRC_BATCH_LINE_READER_HPP
#define BATCHWIRE_SRC_BATCH_LINE_READER_HPP

// A batch's output or error file as it streams in, turned into parsed lines: split by
// jsonl_line_splitter (one line in memory at a time), blank lines skipped, every other line
// parsed within the JSON limits and handed to the caller. Sans-I/O: the download feeds it
// the body's chunks, in whatever sizes they arrive.

#include <batchwire/batch_line.hpp>
#include <batchwire/client.hpp>
#include <batchwire/json_parse.hpp>
#include <batchwire/results_line_splitter.hpp>

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace batchwire::detail {

class batch_line_reader {
public:
    batch_line_reader(json_parse_options parse, std::size_t max_line_bytes, batch_line_handler& on_line)
        : parse_(parse), splitter_(max_line_bytes), max_line_bytes_(max_line_bytes), on_line_(on_line)
    {
    }

    // A chunk of the body. False when a line stops the reading: ec is invalid_response (a
    // line that is not a batch line), response_too_large (a line over the cap) or the
    // handler's own error, and failure() says which line and why.
    bool feed(std::string_view chunk, boost::system::error_code& ec);
    // At the end of the body: a last line that has no newline.
    bool finish(boost::system::error_code& ec);

    std::uint64_t lines() const noexcept { return lines_; } // handed to the caller
    const std::string& failure() const noexcept { return failure_; }

private:
    bool line(std::string_view text, boost::system::error_code& ec);

    json_parse_options parse_;
    jsonl_line_splitter splitter_;
    std::size_t max_line_bytes_;
    batch_line_handler& on_line_;
    std::uint64_t lines_ = 0;
    std::string failure_;
};

} // namespace batchwire::detail

#endif
