// The error category, the HTTP status mapping, describe(), the exception and the SDKs'
// retry classification.

#include <batchwire/error.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace batchwire {

namespace {

struct error_text {
    std::string_view name;  // the enumerator, as describe() prints it
    const char* message;    // the category's message
};

// Indexed by the enumerator's value - 1.
constexpr std::array<error_text, 26> error_texts{{
    {"invalid_argument", "invalid argument; nothing was sent"},
    {"missing_api_key", "no API key: set OPENAI_API_KEY or client_options::api_key"},
    {"invalid_base_url", "the base URL is not valid or its scheme is not http or https"},
    {"connect_failed", "could not connect to the server"},
    {"tls_handshake_failed", "the TLS handshake failed"},
    {"connection_lost", "the connection was lost before the response was complete"},
    {"timeout", "the operation timed out"},
    {"deadline_exceeded", "the call's overall deadline passed"},
    {"cancelled", "the operation was cancelled"},
    {"protocol_error", "the response is not valid HTTP/1.1"},
    {"response_too_large", "the response is larger than the configured limit"},
    {"parse_error", "the response body is not valid JSON"},
    {"invalid_response", "the response does not match the API's schema"},
    {"retry_after_too_long", "the server asked to wait longer than the retry policy allows"},
    {"file_error", "a local file could not be read or written"},
    {"watch_deadline_exceeded", "the batch did not reach a terminal status before the watch deadline"},
    {"bad_request", "bad request (HTTP 400)"},
    {"authentication_failed", "authentication failed (HTTP 401): check the API key"},
    {"permission_denied", "permission denied (HTTP 403)"},
    {"not_found", "not found (HTTP 404)"},
    {"conflict", "conflict (HTTP 409)"},
    {"unprocessable_entity", "unprocessable entity (HTTP 422)"},
    {"rate_limited", "rate limited (HTTP 429)"},
    {"insufficient_quota", "insufficient quota (HTTP 429): check the plan and billing details"},
    {"server_error", "the server failed (HTTP 5xx)"},
    {"http_error", "the server answered with an HTTP error status"},
}};
static_assert(error_texts.size() == static_cast<std::size_t>(error::http_error));

const error_text* text_of(int value) noexcept
{
    if (value < 1 || static_cast<std::size_t>(value) > error_texts.size())
        return nullptr;
    return &error_texts[static_cast<std::size_t>(value) - 1];
}

// error_category's destructor is protected and non-virtual by design (categories are
// never deleted through a base pointer); Boost silences the same warning in its header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class batchwire_category final : public boost::system::error_category {
public:
    // A fixed id keeps categories equal across shared-library boundaries.
    constexpr batchwire_category() noexcept : error_category(0xb47c'5e12'9a3f'0b01ULL) {}

    const char* name() const noexcept override { return "batchwire"; }

    std::string message(int value) const override
    {
        const error_text* t = text_of(value);
        return t ? t->message : "unknown batchwire error " + std::to_string(value);
    }
};
#pragma GCC diagnostic pop

// The errors that stand for an HTTP error status (bad_request .. http_error).
bool is_http_status_error(error e) noexcept
{
    return e >= error::bad_request && e <= error::http_error;
}

// A foreign error_code, or none of ours, gives nullopt.
std::optional<error> as_batchwire_error(const boost::system::error_code& ec) noexcept
{
    if (ec.category() != error_category() || !text_of(ec.value()))
        return std::nullopt;
    return static_cast<error>(ec.value());
}

// describe() promises one line: control characters (newlines in an HTML body...) become spaces.
void append_one_line(std::string& out, std::string_view text)
{
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out += u < 0x20 || u == 0x7f ? ' ' : c;
    }
}

} // namespace

const boost::system::error_category& error_category() noexcept
{
    static const batchwire_category category;
    return category;
}

error error_from_status(unsigned status, std::string_view api_code) noexcept
{
    switch (status) {
    case 400:
        return error::bad_request;
    case 401:
        return error::authentication_failed;
    case 403:
        return error::permission_denied;
    case 404:
        return error::not_found;
    case 409:
        return error::conflict;
    case 422:
        return error::unprocessable_entity;
    case 429:
        return api_code == "insufficient_quota" ? error::insufficient_quota : error::rate_limited;
    default:
        return status >= 500 ? error::server_error : error::http_error;
    }
}

std::string describe(const boost::system::error_code& ec, const diagnostics& diag)
{
    if (!ec)
        return "success";
    std::string out;
    const std::optional<error> e = as_batchwire_error(ec);
    if (e && is_http_status_error(*e)) {
        // "404 not_found (invalid_request_error, code=..., param=...)"
        if (diag.http_status != 0) {
            out += std::to_string(diag.http_status);
            out += ' ';
        }
        out += text_of(ec.value())->name;
        std::string details = diag.type;
        const auto add = [&details](std::string_view label, const std::string& value) {
            if (value.empty())
                return;
            if (!details.empty())
                details += ", ";
            details += label;
            details += value;
        };
        add("code=", diag.code);
        add("param=", diag.param);
        if (!details.empty()) {
            out += " (";
            append_one_line(out, details);
            out += ')';
        }
    } else if (e) {
        out += text_of(ec.value())->name;
    } else {
        out += ec.category().name();
        out += ':';
        out += std::to_string(ec.value());
    }
    out += ": ";
    if (!diag.message.empty())
        append_one_line(out, diag.message);
    else if (!diag.body.empty())
        append_one_line(out, diag.body);
    else
        out += ec.message();
    if (!diag.request_id.empty()) {
        out += " [request id ";
        append_one_line(out, diag.request_id);
        out += ']';
    }
    return out;
}

exception::exception(boost::system::error_code ec, diagnostics diag)
    : boost::system::system_error(ec), diag_(std::move(diag)), what_(describe(ec, diag_))
{
}

const char* exception::what() const noexcept
{
    return what_.c_str();
}

void throw_on_error(const boost::system::error_code& ec, const diagnostics& diag)
{
    if (ec)
        throw exception(ec, diag);
}

bool is_retryable(const boost::system::error_code& ec, const diagnostics& diag) noexcept
{
    const std::optional<error> e = as_batchwire_error(ec);
    if (!e)
        return false; // success, or an error this layer does not classify
    switch (*e) {
    // Transport failures: the SDKs retry connection errors and timeouts.
    case error::connect_failed:
    case error::connection_lost:
    case error::timeout:
        return diag.should_retry.value_or(true);
    // Statuses: x-should-retry decides when sent, then the status.
    case error::bad_request:
    case error::authentication_failed:
    case error::permission_denied:
    case error::not_found:
    case error::conflict:
    case error::unprocessable_entity:
    case error::rate_limited:
    case error::server_error:
    case error::http_error: {
        if (diag.should_retry)
            return *diag.should_retry;
        const unsigned s = diag.http_status;
        if (s == 0) // no status recorded: the error itself says which class
            return *e == error::conflict || *e == error::rate_limited || *e == error::server_error;
        return s == 408 || s == 409 || s == 429 || s >= 500;
    }
    // Never: quota needs the user to act; cancellation and deadlines are the caller's
    // decision; the rest fail the same way every time (bad input, bad TLS, bad bodies, a
    // retry-after beyond the cap) or never reached the server.
    case error::insufficient_quota:
    case error::cancelled:
    case error::deadline_exceeded:
    case error::invalid_argument:
    case error::missing_api_key:
    case error::invalid_base_url:
    case error::tls_handshake_failed:
    case error::protocol_error:
    case error::response_too_large:
    case error::parse_error:
    case error::invalid_response:
    case error::retry_after_too_long:
    case error::file_error:
    case error::watch_deadline_exceeded:
        return false;
    }
    return false;
}

} // namespace batchwire
