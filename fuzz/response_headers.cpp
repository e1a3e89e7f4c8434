// Response headers: a header block parsed by Beast, then what the client reads from it
// (x-request-id, openai-processing-ms, openai-poll-after-ms, date, x-ratelimit-*,
// retry-after, retry-after-ms, x-should-retry), and every value also through the HTTP-date
// and retry-after parsers directly. Properties: never throws; durations are never negative;
// a parsed HTTP-date is a real instant.

#include "fuzz_check.hpp"

#include "http_date.hpp"
#include "response_metadata.hpp"
#include "retry_policy.hpp"

#include <batchwire/request_options.hpp>

#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/asio/buffer.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace http = boost::beast::http;
using batchwire::fuzz::check;

namespace {

void values(std::string_view v)
{
    using namespace std::chrono;
    const auto now = system_clock::time_point{seconds{1'700'000'000}};
    if (const auto date = batchwire::detail::parse_http_date(v)) {
        const auto y = year_month_day{floor<days>(*date)}.year();
        check(y >= year{0} && y <= year{10000}, "an HTTP-date has a plausible year");
    }
    for (const auto& r : {batchwire::detail::parse_retry_after(v, {}, now),
                          batchwire::detail::parse_retry_after({}, v, now)})
        check(!r || r->count() >= 0, "a retry-after is never negative");
    (void)batchwire::detail::parse_should_retry(v);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    values(text);

    // As a header block behind a status line.
    const std::string message = "HTTP/1.1 429 Too Many Requests\r\n" + std::string(text) + "\r\n\r\n";
    http::response_parser<http::empty_body> parser;
    parser.header_limit(64 * 1024);
    parser.eager(false);
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(message), ec);
    if (ec || !parser.is_header_done())
        return 0;
    const http::fields& h = parser.get().base();
    batchwire::response_metadata meta;
    batchwire::detail::read_response_metadata(h, meta);
    check(!meta.poll_after || meta.poll_after->count() >= 0, "poll-after is never negative");
    check(!meta.processing_ms || *meta.processing_ms >= 0, "processing time is never negative");
    batchwire::diagnostics d;
    batchwire::detail::read_api_error(429, h, {}, d);
    check(!d.retry_after || d.retry_after->count() >= 0, "retry-after is never negative");
    for (const auto& f : h)
        values(std::string_view(f.value().data(), f.value().size()));
    return 0;
}
