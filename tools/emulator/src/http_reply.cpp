#include <batchwire/emulator/http_reply.hpp>

#include <boost/beast/http/status.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace batchwire::emulator {

http_reply http_reply::json(std::string body, unsigned status)
{
    http_reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

http_reply http_reply::error(const api_error& e)
{
    return json(e.to_json(), e.status);
}

namespace {

void append_number(std::string& out, std::uint64_t n)
{
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, res.ptr);
}

void append_header(std::string& out, std::string_view name, std::string_view value)
{
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

// IMF-fixdate (RFC 9110): "Tue, 14 Nov 2023 22:13:20 GMT".
void append_date(std::string& out, std::int64_t unix_seconds)
{
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    if (!gmtime_r(&t, &tm))
        return;
    // By hand rather than strftime: day and month names must not follow the locale.
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                                tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                                tm.tm_sec);
    if (n > 0)
        append_header(out, "date", std::string_view(buf, static_cast<std::size_t>(n)));
}

} // namespace

std::string render_head(const http_reply& reply, std::size_t content_length, const response_meta& meta)
{
    namespace http = boost::beast::http;
    std::string head;
    head.reserve(512);
    head.append("HTTP/1.1 ");
    append_number(head, reply.status);
    head.push_back(' ');
    const std::string_view reason = http::obsolete_reason(http::int_to_status(reply.status));
    head.append(reason.empty() || reason == "<unknown-status>" ? std::string_view("Unknown") : reason);
    head.append("\r\n");
    if (!reply.content_type.empty())
        append_header(head, "content-type", reply.content_type);
    head.append("content-length: ");
    append_number(head, content_length);
    head.append("\r\n");
    append_header(head, "connection", meta.keep_alive ? "keep-alive" : "close");
    if (meta.date != 0)
        append_date(head, meta.date); // the emulated clock: clients can reckon server time from it
    append_header(head, "x-request-id", meta.request_id);
    head.append("openai-processing-ms: ");
    append_number(head, static_cast<std::uint64_t>(meta.processing_ms < 0 ? 0 : meta.processing_ms));
    head.append("\r\n");
    // Fixed, plausible rate-limit state: the client only has to parse and expose it.
    head.append("openai-version: 2020-10-01\r\n"
                "x-ratelimit-limit-requests: 5000\r\n"
                "x-ratelimit-limit-tokens: 2000000\r\n"
                "x-ratelimit-remaining-requests: 4999\r\n"
                "x-ratelimit-remaining-tokens: 1999950\r\n"
                "x-ratelimit-reset-requests: 12ms\r\n"
                "x-ratelimit-reset-tokens: 6m0s\r\n"
                "server: batchwire-emulator\r\n");
    for (const auto& [name, value] : reply.headers)
        append_header(head, name, value);
    head.append("\r\n");
    return head;
}

} // namespace batchwire::emulator
