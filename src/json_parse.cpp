// parse_json: Boost.JSON's parser with the limits of json_parse_options, and errors that
// say where the text went wrong.

#include <batchwire/json_parse.hpp>

#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/parser.hpp>

#include <algorithm>
#include <string>

namespace batchwire {

namespace {

// "line 3, column 14" of the byte at `offset` (both 1-based; columns count bytes).
std::string position_of(std::string_view text, std::size_t offset)
{
    const std::string_view before = text.substr(0, offset);
    const auto line = 1 + std::count(before.begin(), before.end(), '\n');
    const std::size_t last_newline = before.rfind('\n');
    const std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

} // namespace

boost::json::value parse_json(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                              const json_parse_options& opts)
{
    ec = {};
    if (text.size() > opts.max_size) {
        ec = error::response_too_large;
        diag.message = "JSON text of " + std::to_string(text.size()) + " bytes is over the limit of " +
                       std::to_string(opts.max_size) + " bytes";
        return nullptr;
    }
    boost::json::parse_options po;
    po.max_depth = opts.max_depth;
    po.allow_trailing_commas = opts.allow_trailing_commas;
    boost::json::parser parser({}, po);
    boost::system::error_code jec;
    // On failure the parser stops at the offending byte and reports how far it got.
    const std::size_t consumed = parser.write(text.data(), text.size(), jec);
    if (jec) {
        ec = error::parse_error;
        std::string problem = jec == boost::json::error::too_deep
                                  ? "nested deeper than " + std::to_string(opts.max_depth) + " levels"
                                  : jec.message();
        diag.message = "invalid JSON at " + position_of(text, consumed) + ": " + problem;
        return nullptr;
    }
    return parser.release();
}

} // namespace batchwire
