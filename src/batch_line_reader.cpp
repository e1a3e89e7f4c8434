#include "batch_line_reader.hpp"

#include <batchwire/error.hpp>

namespace batchwire::detail {

bool batch_line_reader::line(std::string_view text, boost::system::error_code& ec)
{
    if (text.find_first_not_of(" \t") == std::string_view::npos)
        return true; // blank lines carry nothing (a trailing one is common)
    diagnostics d;
    // Not through a json_scratch: the line keeps its response body as a JSON value.
    const auto v = parse_json(text, ec, d, parse_);
    auto l = ec ? batch_output_line{} : convert_json<batch_output_line>(v, ec, d);
    if (ec) {
        failure_ = "line " + std::to_string(splitter_.line_number()) + ": " + d.message;
        if (ec != error::response_too_large)
            ec = error::invalid_response;
        return false;
    }
    ++lines_;
    on_line_(std::move(l), ec);
    if (ec)
        failure_ =
            "the line handler stopped at line " + std::to_string(splitter_.line_number()) + ": " + ec.message();
    return !ec;
}

bool batch_line_reader::feed(std::string_view chunk, boost::system::error_code& ec)
{
    const bool go_on = splitter_.feed(chunk, [&](std::string_view text, std::string_view) { return line(text, ec); });
    if (splitter_.too_long()) {
        failure_ = "line " + std::to_string(splitter_.line_number() + 1) + " is longer than " +
                   std::to_string(max_line_bytes_) + " bytes";
        ec = error::response_too_large;
    }
    return go_on;
}

bool batch_line_reader::finish(boost::system::error_code& ec)
{
    return splitter_.finish([&](std::string_view text, std::string_view) { return line(text, ec); });
}

} // namespace batchwire::detail
