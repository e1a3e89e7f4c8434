#ifndef BATCHWIRE_EMULATOR_REQUEST_HANDLER_HPP
#define BATCHWIRE_EMULATOR_REQUEST_HANDLER_HPP

// The endpoints: turns an authorized, routed request into a reply, reading and changing
// api_state. Knows nothing about connections, faults or TLS.

#include <batchwire/batch_create_params.hpp>
#include <batchwire/emulator/api_error.hpp>
#include <batchwire/emulator/api_state.hpp>
#include <batchwire/emulator/emulator_options.hpp>
#include <batchwire/emulator/http_reply.hpp>
#include <batchwire/emulator/route_table.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <optional>
#include <string_view>
#include <variant>

namespace batchwire::emulator {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

class request_handler {
public:
    request_handler(api_state& state, const emulator_options& opts);

    // `req`'s body may be moved from (an upload keeps it as the file's storage).
    http_reply handle(const route_match& route, http_request& req,
                      std::optional<std::chrono::milliseconds> poll_after_hint);

    // The body of POST /v1/batches, checked as the API does (required fields, enums,
    // metadata limits, output_expires_after range).
    static std::variant<batchwire::batch_create_params, api_error> parse_create_batch(std::string_view body);

private:
    http_reply create_file(http_request& req);
    http_reply retrieve_file(const route_match& route);
    http_reply download_file(const route_match& route);
    http_reply create_batch(const http_request& req);
    http_reply list_batches(const route_match& route);
    http_reply retrieve_batch(const route_match& route);
    http_reply cancel_batch(const route_match& route);

    api_state& state_;
    const emulator_options& opts_;
};

} // namespace batchwire::emulator

#endif
