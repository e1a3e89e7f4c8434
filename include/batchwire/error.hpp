#ifndef BATCHWIRE_ERROR_HPP
#define BATCHWIRE_ERROR_HPP

// Errors: an enum + boost::system category, the diagnostics that travel beside an
// error_code, and the exception that carries both.

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace batchwire {

enum class error {
    // Client side, before or without a response.
    invalid_argument = 1,   // an empty or malformed id, bad parameters; nothing was sent
    missing_api_key,        // no OPENAI_API_KEY / client_options::api_key
    invalid_base_url,       // the base URL did not parse or has an unsupported scheme
    connect_failed,         // name resolution or TCP connect failed
    tls_handshake_failed,   // TLS failed, certificate verification included
    connection_lost,        // the peer closed or reset the connection mid-exchange
    timeout,                // an attempt, connect or handshake took too long
    deadline_exceeded,      // the overall deadline of a call passed
    cancelled,              // cancelled through the operation's cancellation slot
    protocol_error,         // the response was not valid HTTP/1.1
    response_too_large,     // headers or body over the configured limit
    parse_error,            // the body was not valid JSON (or exceeded depth limits)
    invalid_response,       // valid JSON that does not match the API's schema
    retry_after_too_long,   // the server asked to wait longer than retry_options::max_retry_after
    file_error,             // a local file could not be read or written
    watch_deadline_exceeded, // watch_until_terminal's deadline passed before a terminal status
    // The API answered with an HTTP error status (the SDKs' error classes).
    bad_request,            // 400
    authentication_failed,  // 401
    permission_denied,      // 403
    not_found,              // 404
    conflict,               // 409
    unprocessable_entity,   // 422
    rate_limited,           // 429
    insufficient_quota,     // 429 with code insufficient_quota; never retried
    server_error,           // >= 500
    http_error,             // any other non-2xx status
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

// The error a given HTTP status maps to (the SDKs' classes); http_error for the rest.
// `api_code` distinguishes 429 insufficient_quota from other 429s.
error error_from_status(unsigned status, std::string_view api_code = {}) noexcept;

// What is known about a failure beyond its error_code. Never contains credentials.
struct diagnostics {
    unsigned http_status = 0;  // 0 when no response was received
    std::string message;       // the API's error.message, or a client-side explanation
    std::string type;          // the API's error.type
    std::string param;         // the API's error.param (empty for null)
    std::string code;          // the API's error.code (empty for null)
    std::string request_id;    // x-request-id of the response that failed
    std::string body;          // a non-JSON error body, kept as text (truncated)
    std::optional<std::chrono::milliseconds> retry_after; // what the server asked for
    std::optional<bool> should_retry;                     // x-should-retry, when sent
    unsigned attempts = 0;     // attempts made, the failing one included
    bool request_may_have_been_processed = false; // sent before the failure (cancel, timeout)

    void clear() { *this = diagnostics{}; }
};

// One line for logs and exception text: "404 not_found (invalid_request_error):
// No batch found with id 'x' [request id req_123]".
std::string describe(const boost::system::error_code& ec, const diagnostics& diag);

class exception : public boost::system::system_error {
public:
    exception(boost::system::error_code ec, diagnostics diag);
    const diagnostics& get_diagnostics() const noexcept { return diag_; }
    // describe(code(), get_diagnostics()); system_error's own text would append ec.what().
    const char* what() const noexcept override;

private:
    diagnostics diag_;
    std::string what_;
};

// Throws batchwire::exception when ec is an error.
void throw_on_error(const boost::system::error_code& ec, const diagnostics& diag);

// The official SDKs' retry classification: x-should-retry decides when
// sent; otherwise 408, 409, 429 and >= 500 and transport failures (connect, connection
// lost, timeout) are retried. insufficient_quota, cancellation, the overall deadline and
// client-side errors never are.
bool is_retryable(const boost::system::error_code& ec, const diagnostics& diag) noexcept;

} // namespace batchwire

template <>
struct boost::system::is_error_code_enum<batchwire::error> : std::true_type {};

#endif
