#ifndef BATCHWIRE_EMULATOR_API_ERROR_HPP
#define BATCHWIRE_EMULATOR_API_ERROR_HPP

// An API error as the emulator sends it: an HTTP status and the body
// {"error": {"message", "type", "param", "code"}} (param and code may be null).

#include <optional>
#include <string>

namespace batchwire::emulator {

struct api_error {
    unsigned status = 400;
    std::string message;
    std::string type = "invalid_request_error";
    std::optional<std::string> param;
    std::optional<std::string> code;

    std::string to_json() const;

    // The API's usual errors.
    static api_error invalid_request(std::string message, std::optional<std::string> param = {},
                                     std::optional<std::string> code = {});
    static api_error not_found(std::string message, std::optional<std::string> param = {});
    // 409 invalid_request_error: the request conflicts with the resource's state.
    static api_error conflict(std::string message);
    static api_error server_error(unsigned status);
};

} // namespace batchwire::emulator

#endif
