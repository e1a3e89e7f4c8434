#include "webhook_request_route.hpp"

namespace batchwire::detail {

route_decision route_webhook_request(std::string_view method, std::string_view target, std::string_view path,
                                     std::optional<std::uint64_t> content_length, std::uint64_t max_body)
{
    const std::string_view target_path = target.substr(0, target.find('?'));
    if (target_path != path)
        return {404, "no webhook endpoint at this path"};
    if (method != "POST")
        return {405, "webhooks are delivered with POST"};
    if (content_length && *content_length > max_body)
        return {413, "the body of " + std::to_string(*content_length) + " bytes is over the limit of " +
                         std::to_string(max_body)};
    return {};
}

} // namespace batchwire::detail
