#ifndef BATCHWIRE_CLI_JSON_OUTPUT_HPP
#define BATCHWIRE_CLI_JSON_OUTPUT_HPP

// What goes to stdout: API objects as JSON, one value per line (or indented with --pretty),
// and raw bytes for downloads. A failed write to stdout is a local file error (exit 6).

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <string>
#include <string_view>
#include <system_error>

namespace batchwire::cli {

// Two-space indentation, one member per line; Boost.JSON 1.81 only serializes compactly.
std::string pretty_json(const boost::json::value& v);

// Writes `v` and a newline to stdout and flushes. Throws batchwire::exception(file_error).
void print_json(const boost::json::value& v, bool pretty);

template <class T>
void print_object(const T& object, bool pretty)
{
    print_json(boost::json::value_from(object), pretty);
}

// Writes raw bytes to stdout (buffered); false and `ec` set on failure.
bool write_stdout(std::string_view bytes, std::error_code& ec);

// Flushes stdout. Throws batchwire::exception(file_error).
void flush_stdout();

} // namespace batchwire::cli

#endif
