#include <batchwire/emulator/fault_reply.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace batchwire::emulator {

namespace {

std::string format_number(double v)
{
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return std::to_string(static_cast<long long>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    std::string s(buf);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    return s;
}

void add_retry_headers(http_reply& reply, const fault_rule& rule)
{
    if (rule.retry_after_s)
        reply.headers.emplace_back("retry-after", format_number(*rule.retry_after_s));
    if (rule.retry_after_ms)
        reply.headers.emplace_back("retry-after-ms", format_number(*rule.retry_after_ms));
    if (rule.should_retry)
        reply.headers.emplace_back("x-should-retry", *rule.should_retry ? "true" : "false");
}

} // namespace

bool replaces_request(fault_kind k) noexcept
{
    return k == fault_kind::http_status || k == fault_kind::rate_limited || k == fault_kind::insufficient_quota;
}

http_reply fault_error_reply(const fault_rule& rule)
{
    api_error e;
    switch (rule.kind) {
    case fault_kind::rate_limited:
        e = api_error{429,
                      "Rate limit reached for requests per min (RPM): Limit 5000, Used 5000, Requested 1. "
                      "Please try again in 12ms.",
                      "requests", std::nullopt, std::string("rate_limit_exceeded")};
        break;
    case fault_kind::insufficient_quota:
        e = api_error{429,
                      "You exceeded your current quota, please check your plan and billing details.",
                      "insufficient_quota", std::nullopt, std::string("insufficient_quota")};
        break;
    default:
        e = api_error::server_error(rule.status);
        break;
    }
    http_reply reply = http_reply::error(e);
    add_retry_headers(reply, rule);
    return reply;
}

void apply_fault_to_reply(http_reply& reply, const fault_rule& rule)
{
    if (rule.kind == fault_kind::malformed_json) {
        std::string body(reply.body_view());
        body.resize(body.size() / 2);
        body += "\x01<not json";
        reply.shared_storage.reset();
        reply.shared_view = {};
        reply.body = std::move(body);
        reply.content_type = "application/json";
    } else if (rule.kind == fault_kind::wrong_content_type) {
        reply.shared_storage.reset();
        reply.shared_view = {};
        reply.status = rule.status;
        reply.content_type = "text/html; charset=utf-8";
        reply.body = "<html>\r\n<head><title>" + std::to_string(rule.status) +
                     "</title></head>\r\n<body>\r\n<center><h1>" + std::to_string(rule.status) +
                     " Error</h1></center>\r\n<hr><center>emulated proxy</center>\r\n</body>\r\n</html>\r\n";
        reply.headers.clear();
    }
    if (!replaces_request(rule.kind))
        add_retry_headers(reply, rule);
}

} // namespace batchwire::emulator
