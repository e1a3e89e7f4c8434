// Response headers and error bodies, read into response_metadata and diagnostics.

#include "response_metadata.hpp"

#include "http_date.hpp"
#include "json_scratch.hpp"
#include "retry_policy.hpp"
#include "trim_blanks.hpp"

#include <batchwire/json_parse.hpp>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <system_error>

namespace batchwire::detail {

namespace http = boost::beast::http;

namespace {

// An error body is two levels deep; anything much deeper is not one.
constexpr std::size_t max_error_body_depth = 16;

std::string_view header(const http::fields& h, std::string_view name)
{
    const auto it = h.find(boost::beast::string_view{name.data(), name.size()});
    if (it == h.end())
        return {};
    const auto v = it->value();
    return {v.data(), v.size()};
}

constexpr std::string_view trim(std::string_view s) noexcept { return trim_blanks(s); }

// A non-negative integer making up the whole value. A decimal ("12.5") is accepted and
// rounded, since the headers are durations and counts that a proxy may reformat.
std::optional<long long> parse_count(std::string_view s) noexcept
{
    s = trim(s);
    if (s.empty())
        return std::nullopt;
    const char* const last = s.data() + s.size();
    long long n = 0;
    if (const auto [end, ec] = std::from_chars(s.data(), last, n); ec == std::errc{} && end == last)
        return n >= 0 ? std::optional<long long>{n} : std::nullopt;
    double d = 0;
    if (const auto [end, ec] = std::from_chars(s.data(), last, d);
        ec == std::errc{} && end == last && std::isfinite(d) && d >= 0 && d < 9.0e18)
        return std::llround(d);
    return std::nullopt;
}

// A string field of the error object; null, absent or not a string reads as empty, except
// numbers and booleans (old errors sent numeric codes), which are kept as their JSON text.
std::string error_field(const boost::json::object& error, std::string_view key)
{
    const boost::json::value* v = error.if_contains(key);
    if (!v || v->is_null() || v->is_object() || v->is_array())
        return {};
    if (const auto* s = v->if_string())
        return std::string(s->data(), s->size());
    return boost::json::serialize(*v);
}

// Cut at a UTF-8 character boundary so the kept text stays valid UTF-8 when the body was.
std::string_view truncated_text(std::string_view body) noexcept
{
    if (body.size() <= max_error_body_text)
        return body;
    std::size_t n = max_error_body_text;
    while (n > 0 && (static_cast<unsigned char>(body[n]) & 0xC0u) == 0x80u)
        --n;
    return body.substr(0, n);
}

// The API's {"error": {...}}: true when body is that JSON, with d's fields filled.
bool read_error_object(std::string_view body, diagnostics& d)
{
    json_parse_options opts;
    opts.max_depth = max_error_body_depth;
    boost::system::error_code ec;
    diagnostics why; // not reported: a body that is not the API's JSON is kept as text
    json_scratch scratch;
    const boost::json::value v = scratch.parse(body, ec, why, opts);
    if (ec || !v.is_object())
        return false;
    const boost::json::value* error = v.get_object().if_contains("error");
    if (!error || !error->is_object())
        return false;
    const boost::json::object& e = error->get_object();
    d.message = error_field(e, "message");
    d.type = error_field(e, "type");
    d.param = error_field(e, "param");
    d.code = error_field(e, "code");
    return true;
}

} // namespace

std::string_view read_request_id(const http::fields& h) { return header(h, "x-request-id"); }

void read_response_metadata(const http::fields& h, response_metadata& out)
{
    out.request_id = read_request_id(h);
    out.processing_ms = parse_count(header(h, "openai-processing-ms"));
    out.server_date.reset();
    if (const auto date = parse_http_date(header(h, "date")))
        out.server_date = date->time_since_epoch().count();
    out.poll_after.reset();
    if (const auto ms = parse_count(header(h, "openai-poll-after-ms")))
        out.poll_after = std::chrono::milliseconds{*ms};
    out.limits.limit_requests = parse_count(header(h, "x-ratelimit-limit-requests"));
    out.limits.limit_tokens = parse_count(header(h, "x-ratelimit-limit-tokens"));
    out.limits.remaining_requests = parse_count(header(h, "x-ratelimit-remaining-requests"));
    out.limits.remaining_tokens = parse_count(header(h, "x-ratelimit-remaining-tokens"));
    out.limits.reset_requests = trim(header(h, "x-ratelimit-reset-requests"));
    out.limits.reset_tokens = trim(header(h, "x-ratelimit-reset-tokens"));
}

void read_api_error(unsigned status, const http::fields& h, std::string_view body, diagnostics& d)
{
    d.http_status = status;
    d.request_id = header(h, "x-request-id");
    d.message.clear();
    d.type.clear();
    d.param.clear();
    d.code.clear();
    d.body.clear();
    if (!read_error_object(body, d)) {
        d.body = truncated_text(body);
        d.message = "HTTP " + std::to_string(status) +
                    (body.empty() ? std::string(" with an empty body") : std::string(" with a non-JSON body"));
    }
    d.retry_after = parse_retry_after(header(h, "retry-after-ms"), header(h, "retry-after"),
                                      std::chrono::system_clock::now());
    d.should_retry = parse_should_retry(header(h, "x-should-retry"));
}

boost::system::error_code error_for_response(unsigned status, const diagnostics& d)
{
    return error_from_status(status, d.code);
}

} // namespace batchwire::detail
