// A client's shared state: the options checked once, the TLS context, the pool.

#include "client_state.hpp"

#include "header_field.hpp"
#include "tls_context.hpp"

#include <batchwire/error.hpp>

#include <algorithm>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;

client_state::client_state(asio::any_io_executor executor, client_options options)
    : ex(std::move(executor)), opts(std::move(options))
{
    error_code ec;
    std::string why;
    org = parse_origin(opts.base_url, ec, why);
    if (ec) {
        diagnostics d;
        d.message = "invalid base URL: " + why;
        throw exception(ec, std::move(d));
    }
    if (opts.api_key.empty()) {
        diagnostics d;
        d.message = "no API key: set client_options::api_key or OPENAI_API_KEY";
        throw exception(error::missing_api_key, std::move(d));
    }
    // Nothing configured may change the request's framing or smuggle in a header. The
    // messages name the setting, never its value (it may be a secret).
    const auto refuse = [](std::string what) {
        diagnostics d;
        d.message = std::move(what);
        throw exception(error::invalid_argument, std::move(d));
    };
    if (!is_header_value(opts.api_key))
        refuse("the API key contains a control character");
    if (!is_header_value(opts.organization))
        refuse("client_options::organization contains a control character");
    if (!is_header_value(opts.project))
        refuse("client_options::project contains a control character");
    for (std::size_t i = 0; i < opts.default_headers.size(); ++i) {
        const auto& [name, value] = opts.default_headers[i];
        const std::string which = "client_options::default_headers[" + std::to_string(i) + "]";
        if (!is_header_name(name))
            refuse(which + ": the name is empty or holds characters not allowed in a header name");
        if (is_reserved_header(name))
            refuse(which + ": '" + name + "' is set by the client itself and cannot be replaced");
        if (!is_header_value(value))
            refuse(which + ": the value contains a control character");
    }
    if (org.tls)
        tls.emplace(make_tls_context(opts.tls));
    pool = std::make_shared<connection_pool>(ex, opts.pool, tls ? &*tls : nullptr);
    authorization = "Bearer " + opts.api_key;
    head_.emplace(org, opts, authorization);
    requests_.emplace(request_context{*pool, org, *head_, opts.logger, opts.retry, opts.attempt_timeout,
                                      opts.total_timeout, opts.limits, opts.pool.enabled});
}

client_state::~client_state()
{
    // Keep the key's bytes out of freed memory.
    std::fill(authorization.begin(), authorization.end(), '\0');
    std::fill(opts.api_key.begin(), opts.api_key.end(), '\0');
}

} // namespace batchwire::detail
