// Boost's assertions in the fuzz targets: every failed BOOST_ASSERT is a finding, except one
// that Beast 1.81 states wrongly. basic_parser::parse_chunk_header asserts `n >= 5` when a
// chunked body's first chunk is the final one and the bytes arrive a few at a time ("0\r\n"
// then "\r\n"); three or four bytes are valid there and the code after the assertion handles
// them (asks for more). Beast fixed the assertion upstream (boostorg/beast pull request 2861,
// Boost 1.86). Release builds compile BOOST_ASSERT out, so only builds with assertions see it.

#include <boost/assert.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

bool known_false_assertion(const char* expr, const char* file)
{
    return std::string_view(expr) == "n >= 5" && std::string_view(file).ends_with("beast/http/impl/basic_parser.ipp");
}

[[noreturn]] void report(const char* expr, const char* msg, const char* function, const char* file, long line)
{
    std::fprintf(stderr, "%s:%ld: %s: assertion `%s' failed%s%s\n", file, line, function, expr, msg ? ": " : "",
                 msg ? msg : "");
    std::abort();
}

} // namespace

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line)
{
    if (!known_false_assertion(expr, file))
        report(expr, nullptr, function, file, line);
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file, long line)
{
    report(expr, msg, function, file, line);
}

} // namespace boost
