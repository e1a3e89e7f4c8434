#include <batchwire/emulator/api_error.hpp>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <utility>

namespace batchwire::emulator {

std::string api_error::to_json() const
{
    boost::json::object inner;
    inner["message"] = message;
    inner["type"] = type;
    inner["param"] = param ? boost::json::value(*param) : boost::json::value(nullptr);
    inner["code"] = code ? boost::json::value(*code) : boost::json::value(nullptr);
    boost::json::object outer;
    outer["error"] = std::move(inner);
    return boost::json::serialize(outer);
}

api_error api_error::invalid_request(std::string message, std::optional<std::string> param,
                                     std::optional<std::string> code)
{
    return api_error{400, std::move(message), "invalid_request_error", std::move(param), std::move(code)};
}

api_error api_error::not_found(std::string message, std::optional<std::string> param)
{
    return api_error{404, std::move(message), "invalid_request_error", std::move(param), std::nullopt};
}

api_error api_error::conflict(std::string message)
{
    return api_error{409, std::move(message), "invalid_request_error", std::nullopt, std::nullopt};
}

api_error api_error::server_error(unsigned status)
{
    // The texts the API uses for its common 5xx answers.
    switch (status) {
    case 502:
        return api_error{status, "Bad gateway.", "server_error", std::nullopt, std::nullopt};
    case 503:
        return api_error{status, "The server is overloaded or not ready yet.", "server_error", std::nullopt,
                         std::nullopt};
    case 504:
        return api_error{status, "Gateway timeout.", "server_error", std::nullopt, std::nullopt};
    default:
        break;
    }
    if (status >= 500)
        return api_error{status, "The server had an error while processing your request. Sorry about that!",
                         "server_error", std::nullopt, std::nullopt};
    if (status == 401)
        return api_error{status, "Incorrect API key provided.", "invalid_request_error", std::nullopt,
                         std::string("invalid_api_key")};
    if (status == 403)
        return api_error{status, "You are not allowed to perform this request.", "invalid_request_error",
                         std::nullopt, std::nullopt};
    if (status == 404)
        return api_error{status, "Not found.", "invalid_request_error", std::nullopt, std::nullopt};
    if (status == 408)
        return api_error{status, "Request timed out.", "invalid_request_error", std::nullopt, std::nullopt};
    if (status == 409)
        return api_error{status, "The request conflicted with another request.", "invalid_request_error",
                         std::nullopt, std::nullopt};
    if (status == 429)
        return api_error{status, "Rate limit reached for requests.", "requests", std::nullopt,
                         std::string("rate_limit_exceeded")};
    return api_error{status, "The request failed.", "invalid_request_error", std::nullopt, std::nullopt};
}

} // namespace batchwire::emulator
