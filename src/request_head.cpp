#include "request_head.hpp"

#include "header_field.hpp"

#include <algorithm>

#ifndef BATCHWIRE_VERSION
#define BATCHWIRE_VERSION "0"
#endif

namespace batchwire::detail {

namespace http = boost::beast::http;

namespace {

void add_field(std::string& out, std::string_view name, std::string_view value)
{
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

} // namespace

request_head::request_head(const origin& o, const client_options& opts, std::string_view authorization)
{
    add_field(fields_, "Host", o.host_header);
    add_field(fields_, "Authorization", authorization);
    add_field(fields_, "User-Agent", "batchwire/" BATCHWIRE_VERSION);
    if (!opts.organization.empty())
        add_field(fields_, "OpenAI-Organization", opts.organization);
    if (!opts.project.empty())
        add_field(fields_, "OpenAI-Project", opts.project);
    for (const auto& [name, value] : opts.default_headers)
        add_field(fields_, name, value);
    if (!opts.pool.enabled)
        add_field(fields_, "Connection", "close"); // HTTP/1.1 keeps alive unless told
}

request_head::~request_head() { std::fill(fields_.begin(), fields_.end(), '\0'); }

boost::system::error_code request_head::serialize(http::verb method, std::string_view target,
                                                  const request_fields& own, std::string& out) const
{
    if (!is_header_value(own.accept) || !is_header_value(own.content_type) ||
        !is_header_value(own.idempotency_key) || !is_header_value(target) ||
        target.find(' ') != std::string_view::npos)
        return error::invalid_argument;
    const auto verb = http::to_string(method);
    out.reserve(out.size() + verb.size() + target.size() + fields_.size() + 160);
    out.append(verb.data(), verb.size());
    out.push_back(' ');
    out.append(target);
    out.append(" HTTP/1.1\r\n");
    out.append(fields_);
    add_field(out, "Accept", own.accept);
    if (!own.content_type.empty())
        add_field(out, "Content-Type", own.content_type);
    if (!own.idempotency_key.empty())
        add_field(out, "Idempotency-Key", own.idempotency_key);
    if (own.content_length)
        add_field(out, "Content-Length", std::to_string(*own.content_length));
    out.append("\r\n");
    return {};
}

bool needs_content_length(http::verb method, std::uint64_t body_size) noexcept
{
    return body_size > 0 || method == http::verb::post || method == http::verb::put ||
           method == http::verb::options;
}

} // namespace batchwire::detail
