#ifndef BATCHWIRE_JSON_PARSE_HPP
#define BATCHWIRE_JSON_PARSE_HPP

// Parsing API text into the model, with limits, and errors that point at the spot.

#include <batchwire/error.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <cstddef>
#include <new>
#include <string_view>

namespace batchwire {

struct json_parse_options {
    std::size_t max_depth = 64;          // deeper nesting is a parse_error, not a stack overflow
    std::size_t max_size = 64u << 20;    // larger text is response_too_large
    bool allow_trailing_commas = false;  // the spec's own examples have them; the API does not
    // The parse (the value and the parser's working stack) may allocate at most
    // memory_per_byte × the text's size + min_memory bytes; past that the text is refused
    // as response_too_large at once. API objects need 2 to 4 bytes per byte of text; text
    // made of tiny values ("[0,0,0,...]": 16 bytes per 2-byte value) needs more, and is
    // what this refuses before it takes a multiple of its size.
    std::size_t memory_per_byte = 6;
    std::size_t min_memory = 64u << 10;
};

// Parses `text`. On failure sets ec and diag.message: parse_error, e.g. "invalid JSON at
// line 3, column 14: syntax error" (numbers beyond the range of a double are refused too,
// so that what parses can be written back); response_too_large for text over max_size or
// over its memory budget.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                              const json_parse_options& opts = {});

// Converts a parsed value; on a schema mismatch sets ec to invalid_response and
// diag.message to the field path and the problem; response_too_large when memory runs out.
template <class T>
T convert_json(const boost::json::value& v, boost::system::error_code& ec, diagnostics& diag)
{
    try {
        return boost::json::value_to<T>(v);
    } catch (const exception& e) {
        ec = e.code();
        diag.message = e.get_diagnostics().message;
    } catch (const std::bad_alloc&) {
        // Not a schema mismatch: the process ran out of memory for this response.
        ec = error::response_too_large;
        diag.message = "out of memory converting the response";
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
