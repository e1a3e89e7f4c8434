#ifndef BATCHWIRE_JSON_PARSE_HPP
#define BATCHWIRE_JSON_PARSE_HPP

// Parsing API text into the model, with limits, and errors that point at the spot.

#include <batchwire/error.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <string_view>

namespace batchwire {

struct json_parse_options {
    std::size_t max_depth = 64;          // deeper nesting is a parse_error, not a stack overflow
    std::size_t max_size = 64u << 20;    // larger text is response_too_large
    bool allow_trailing_commas = false;  // the spec's own examples have them; the API does not
};

// Parses `text`. On failure sets ec (parse_error or response_too_large) and diag.message
// to e.g. "invalid JSON at line 3, column 14: syntax error".
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                              const json_parse_options& opts = {});

// Converts a parsed value; on a schema mismatch sets ec to invalid_response and
// diag.message to the field path and the problem.
template <class T>
T convert_json(const boost::json::value& v, boost::system::error_code& ec, diagnostics& diag)
{
    try {
        return boost::json::value_to<T>(v);
    } catch (const exception& e) {
        ec = e.code();
        diag.message = e.get_diagnostics().message;
    } catch (const std::exception& e) {
        ec = error::invalid_response;
        diag.message = e.what();
    }
    return T{};
}

// parse_json + convert_json, throwing batchwire::exception.
template <class T>
T parse_as(std::string_view text, const json_parse_options& opts = {})
{
    boost::system::error_code ec;
    diagnostics diag;
    auto v = parse_json(text, ec, diag, opts);
    throw_on_error(ec, diag);
    T t = convert_json<T>(v, ec, diag);
    throw_on_error(ec, diag);
    return t;
}

} // namespace batchwire

#endif
