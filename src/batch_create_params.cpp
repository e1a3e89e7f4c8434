// The body of POST /batches: client-side validation and JSON (CreateBatchRequest).

#include <batchwire/batch_create_params.hpp>
#include <batchwire/error.hpp>

#include "json_fields.hpp"

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace batchwire {

namespace {

// CreateBatchRequest.endpoint's documented values.
constexpr std::array<std::string_view, 8> batch_endpoints{
    "/v1/responses",  "/v1/chat/completions",   "/v1/embeddings",    "/v1/completions",
    "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos",
};

constexpr std::int64_t min_expiration_seconds = 3600;     // 1 hour
constexpr std::int64_t max_expiration_seconds = 2592000;  // 30 days

boost::system::error_code invalid(std::string* why, std::string reason)
{
    if (why)
        *why = std::move(reason);
    return error::invalid_argument;
}

} // namespace

bool is_batch_endpoint(std::string_view endpoint) noexcept
{
    return std::find(batch_endpoints.begin(), batch_endpoints.end(), endpoint) != batch_endpoints.end();
}

boost::system::error_code batch_create_params::validate(std::string* why) const
{
    if (input_file_id.empty())
        return invalid(why, "input_file_id is empty");
    // Not checked against batch_endpoints: an endpoint added to the API after this version
    // must still reach the server, which refuses the ones it does not batch.
    if (endpoint.empty())
        return invalid(why, "endpoint is empty");
    if (completion_window != "24h")
        return invalid(why, "completion_window \"" + completion_window + "\" is not supported; the only window is \"24h\"");
    if (metadata)
        if (auto ec = validate_metadata(*metadata, why))
            return ec;
    if (output_expires_after) {
        const file_expiration& x = *output_expires_after;
        if (x.anchor != "created_at")
            return invalid(why, "output_expires_after.anchor \"" + x.anchor +
                                    "\" is not supported; the only anchor is \"created_at\"");
        if (x.seconds < min_expiration_seconds || x.seconds > max_expiration_seconds)
            return invalid(why, "output_expires_after.seconds is " + std::to_string(x.seconds) + "; it must be between " +
                                    std::to_string(min_expiration_seconds) + " and " +
                                    std::to_string(max_expiration_seconds));
    }
    return {};
}

batch_create_params tag_invoke(boost::json::value_to_tag<batch_create_params>, const boost::json::value& v)
{
    const detail::object_reader r(v, "batch_create_params");
    batch_create_params p;
    p.input_file_id = r.required_string("input_file_id");
    p.endpoint = r.required_string("endpoint");
    p.completion_window = r.required_string("completion_window");
    p.metadata = r.optional_string_map("metadata");
    if (const auto x = r.optional_object("output_expires_after"))
        p.output_expires_after = file_expiration{x->required_string("anchor"), x->required_int64("seconds")};
    return p;
}

// Only what is set: the server applies its defaults to the rest.
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_create_params& p)
{
    boost::json::object& o = v.emplace_object();
    o.reserve(5);
    o.emplace("input_file_id", p.input_file_id);
    o.emplace("endpoint", p.endpoint);
    o.emplace("completion_window", p.completion_window);
    if (p.metadata)
        detail::put_string_map(o, "metadata", *p.metadata);
    if (p.output_expires_after)
        o.emplace("output_expires_after",
                  boost::json::object({{"anchor", p.output_expires_after->anchor},
                                       {"seconds", p.output_expires_after->seconds}},
                                      o.storage()));
}

} // namespace batchwire
