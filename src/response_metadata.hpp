#ifndef BATCHWIRE_SRC_RESPONSE_METADATA_HPP
#define BATCHWIRE_SRC_RESPONSE_METADATA_HPP

// What a response's headers and an error response's body say, read into the public
// response_metadata and diagnostics. Sans-I/O: headers and body in, structs out.

#include <batchwire/error.hpp>
#include <batchwire/request_options.hpp>

#include <boost/beast/http/fields.hpp>

#include <cstddef>
#include <string_view>

namespace batchwire::detail {

// The most of a non-JSON error body kept in diagnostics::body.
inline constexpr std::size_t max_error_body_text = 1024;

// Sets request_id, processing_ms, poll_after and limits from the headers (fields absent or
// not a number are reset, so a struct reused across attempts holds no stale values).
// http_status, attempts and elapsed are the caller's.
void read_response_metadata(const boost::beast::http::fields& h, response_metadata& out);

// x-request-id alone (empty when absent): what every response needs, for diagnostics and
// logs, when the caller did not ask for the rest of the metadata.
std::string_view read_request_id(const boost::beast::http::fields& h);

// Fills d from an error response: http_status, request_id, the API's
// {"error": {message, type, param, code}} (null or absent -> empty), retry_after
// (retry-after-ms / retry-after, relative to the system clock now) and should_retry
// (x-should-retry). A body that is not such JSON is kept as text in d.body (at most
// max_error_body_text bytes) with d.message "HTTP <status> with a non-JSON body".
// attempts and request_may_have_been_processed are left alone.
void read_api_error(unsigned status, const boost::beast::http::fields& h, std::string_view body, diagnostics& d);

// The error a non-2xx response maps to: error_from_status(status, d.code).
boost::system::error_code error_for_response(unsigned status, const diagnostics& d);

} // namespace batchwire::detail

#endif
