// API error responses: {"error": {message, type, param, code}} or anything else a server or a
// proxy sends with a 4xx/5xx. Properties: never throws; a kept non-JSON body is a bounded
// prefix of the body; the error class follows the status.

#include "fuzz_check.hpp"

#include "response_metadata.hpp"

#include <batchwire/error.hpp>

#include <boost/beast/http/fields.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

using batchwire::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 2)
        return 0;
    // The first two bytes pick a status in 400..655; the rest is the body.
    const unsigned status = 400 + data[0] + (data[1] & 1u);
    const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
    boost::beast::http::fields headers;
    headers.set("x-request-id", "req_fuzz");
    batchwire::diagnostics d;
    d.attempts = 7;
    batchwire::detail::read_api_error(status, headers, body, d);
    check(d.http_status == status, "the status is kept");
    check(d.request_id == "req_fuzz", "the request id is kept");
    check(d.attempts == 7, "attempts are left alone");
    check(d.body.size() <= batchwire::detail::max_error_body_text, "the kept body is bounded");
    check(body.substr(0, d.body.size()) == d.body, "the kept body is a prefix of the body");
    check(!d.message.empty() || d.body.empty(), "a non-JSON body comes with a message");
    const auto ec = batchwire::detail::error_for_response(status, d);
    check(ec.category() == batchwire::error_category(), "the error is a batchwire::error");
    check(ec != batchwire::error::invalid_response, "an error status is not a schema error");
    return 0;
}
