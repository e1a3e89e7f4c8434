// The error category, the HTTP status mapping, describe(), the exception and the retry
// classification.

#include <batchwire/error.hpp>

#include "error_printing.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

using batchwire::describe;
using batchwire::diagnostics;
using batchwire::error;
using batchwire::error_from_status;
using batchwire::is_retryable;

namespace {

constexpr int first_error = static_cast<int>(error::invalid_argument);
constexpr int last_error = static_cast<int>(error::http_error);

diagnostics api_error(unsigned status, std::string message, std::string type = {}, std::string code = {},
                      std::string request_id = {})
{
    diagnostics d;
    d.http_status = status;
    d.message = std::move(message);
    d.type = std::move(type);
    d.code = std::move(code);
    d.request_id = std::move(request_id);
    return d;
}

} // namespace

BOOST_AUTO_TEST_SUITE(error_model)

BOOST_AUTO_TEST_CASE(category)
{
    const boost::system::error_code ec = error::not_found;
    BOOST_TEST((ec.category() == batchwire::error_category()));
    BOOST_TEST(std::string(batchwire::error_category().name()) == "batchwire");
    BOOST_TEST(ec.message() == "not found (HTTP 404)");
    BOOST_TEST(batchwire::make_error_code(error::timeout).message() == "the operation timed out");
    BOOST_TEST(batchwire::make_error_code(error::missing_api_key).message() ==
               "no API key: set OPENAI_API_KEY or client_options::api_key");
    BOOST_TEST(batchwire::error_category().message(0) == "unknown batchwire error 0");
    BOOST_TEST(batchwire::error_category().message(last_error + 1) ==
               "unknown batchwire error " + std::to_string(last_error + 1));
}

BOOST_AUTO_TEST_CASE(every_error_has_its_own_message)
{
    std::set<std::string> messages;
    for (int e = first_error; e <= last_error; ++e) {
        const std::string m = batchwire::error_category().message(e);
        BOOST_TEST(!m.empty());
        BOOST_TEST(m.find("unknown") == std::string::npos, m);
        messages.insert(m);
    }
    BOOST_TEST(messages.size() == static_cast<std::size_t>(last_error - first_error + 1));
}

BOOST_AUTO_TEST_CASE(status_table)
{
    struct row {
        unsigned status;
        const char* api_code;
        error expected;
    };
    const std::vector<row> rows{
        {400, "", error::bad_request},
        {400, "insufficient_quota", error::bad_request},
        {401, "", error::authentication_failed},
        {403, "", error::permission_denied},
        {404, "", error::not_found},
        {409, "", error::conflict},
        {422, "", error::unprocessable_entity},
        {429, "", error::rate_limited},
        {429, "rate_limit_exceeded", error::rate_limited},
        {429, "insufficient_quota", error::insufficient_quota},
        {500, "", error::server_error},
        {502, "", error::server_error},
        {503, "", error::server_error},
        {504, "", error::server_error},
        {599, "", error::server_error},
        {408, "", error::http_error},
        {402, "", error::http_error},
        {418, "", error::http_error},
        {499, "", error::http_error},
        {302, "", error::http_error},
    };
    for (const row& r : rows)
        BOOST_TEST(error_from_status(r.status, r.api_code) == r.expected, r.status << " " << r.api_code);
    BOOST_TEST(error_from_status(429) == error::rate_limited);
}

BOOST_AUTO_TEST_CASE(retry_table)
{
    struct row {
        error e;
        unsigned status;
        std::optional<bool> should_retry;
        bool expected;
    };
    const std::vector<row> rows{
        // Statuses, without x-should-retry.
        {error::rate_limited, 429, std::nullopt, true},
        {error::server_error, 500, std::nullopt, true},
        {error::server_error, 503, std::nullopt, true},
        {error::conflict, 409, std::nullopt, true},
        {error::http_error, 408, std::nullopt, true},
        {error::http_error, 418, std::nullopt, false},
        {error::bad_request, 400, std::nullopt, false},
        {error::authentication_failed, 401, std::nullopt, false},
        {error::permission_denied, 403, std::nullopt, false},
        {error::not_found, 404, std::nullopt, false},
        {error::unprocessable_entity, 422, std::nullopt, false},
        // No status recorded: the error's class decides.
        {error::rate_limited, 0, std::nullopt, true},
        {error::server_error, 0, std::nullopt, true},
        {error::bad_request, 0, std::nullopt, false},
        // x-should-retry overrides the status, both ways.
        {error::server_error, 500, false, false},
        {error::rate_limited, 429, false, false},
        {error::bad_request, 400, true, true},
        {error::http_error, 418, true, true},
        {error::not_found, 404, false, false},
        // insufficient_quota never, whatever the header says.
        {error::insufficient_quota, 429, std::nullopt, false},
        {error::insufficient_quota, 429, true, false},
        // Transport failures.
        {error::connect_failed, 0, std::nullopt, true},
        {error::connection_lost, 0, std::nullopt, true},
        {error::timeout, 0, std::nullopt, true},
        {error::timeout, 0, false, false},
        // The caller's decisions and client-side errors: never, x-should-retry or not.
        {error::cancelled, 0, std::nullopt, false},
        {error::cancelled, 0, true, false},
        {error::deadline_exceeded, 0, true, false},
        {error::invalid_argument, 0, true, false},
        {error::missing_api_key, 0, std::nullopt, false},
        {error::invalid_base_url, 0, std::nullopt, false},
        {error::tls_handshake_failed, 0, std::nullopt, false},
        {error::protocol_error, 0, std::nullopt, false},
        {error::response_too_large, 200, std::nullopt, false},
        {error::parse_error, 200, std::nullopt, false},
        {error::parse_error, 500, true, false},
        {error::invalid_response, 200, true, false},
        {error::retry_after_too_long, 429, std::nullopt, false},
        {error::file_error, 0, std::nullopt, false},
        {error::watch_deadline_exceeded, 0, std::nullopt, false},
    };
    for (const row& r : rows) {
        diagnostics d;
        d.http_status = r.status;
        d.should_retry = r.should_retry;
        BOOST_TEST(is_retryable(r.e, d) == r.expected,
                   batchwire::make_error_code(r.e).message()
                       << " status " << r.status << " should_retry "
                       << (r.should_retry ? (*r.should_retry ? "true" : "false") : "unset"));
    }
    // Every enumerator is classified without surprises.
    for (int e = first_error; e <= last_error; ++e)
        (void)is_retryable(static_cast<error>(e), {});
    BOOST_TEST(!is_retryable({}, {}));
    BOOST_TEST(!is_retryable(make_error_code(boost::system::errc::connection_refused), {}));
}

BOOST_AUTO_TEST_CASE(describe_http_errors)
{
    BOOST_TEST(describe(error::not_found, api_error(404, "No batch found with id 'batch_x'.", "invalid_request_error",
                                                    "batch_not_found", "req_123")) ==
               "404 not_found (invalid_request_error, code=batch_not_found): No batch found with id 'batch_x'. "
               "[request id req_123]");

    diagnostics d = api_error(400, "Invalid endpoint.", "invalid_request_error", "invalid_value", "req_9");
    d.param = "endpoint";
    BOOST_TEST(describe(error::bad_request, d) ==
               "400 bad_request (invalid_request_error, code=invalid_value, param=endpoint): Invalid endpoint. "
               "[request id req_9]");

    BOOST_TEST(describe(error::server_error, api_error(500, "The server had an error.")) ==
               "500 server_error: The server had an error.");
    BOOST_TEST(describe(error::insufficient_quota, api_error(429, "You exceeded your current quota.",
                                                             "insufficient_quota", "insufficient_quota")) ==
               "429 insufficient_quota (insufficient_quota, code=insufficient_quota): You exceeded your current "
               "quota.");
}

BOOST_AUTO_TEST_CASE(describe_stays_on_one_line)
{
    diagnostics d;
    d.http_status = 502;
    d.body = "<html>\r\n<body>Bad\tgateway</body>\x1f\n</html>";
    d.request_id = "req_1";
    BOOST_TEST(describe(error::server_error, d) ==
               "502 server_error: <html>  <body>Bad gateway</body>  </html> [request id req_1]");

    d.body.clear();
    BOOST_TEST(describe(error::server_error, d) == "502 server_error: the server failed (HTTP 5xx) [request id req_1]");
}

BOOST_AUTO_TEST_CASE(describe_client_side_errors)
{
    diagnostics d;
    d.message = "connect to api.openai.com:443 took longer than 5s";
    BOOST_TEST(describe(error::timeout, d) == "timeout: connect to api.openai.com:443 took longer than 5s");
    BOOST_TEST(describe(error::timeout, {}) == "timeout: the operation timed out");
    BOOST_TEST(describe(error::cancelled, {}) == "cancelled: the operation was cancelled");
    d.message = "batch.id: required field is missing";
    d.request_id = "req_7";
    BOOST_TEST(describe(error::invalid_response, d) ==
               "invalid_response: batch.id: required field is missing [request id req_7]");
    BOOST_TEST(describe({}, {}) == "success");

    const std::string foreign = describe(make_error_code(boost::system::errc::connection_refused), {});
    BOOST_TEST(foreign.rfind("generic:", 0) == 0u, foreign);
}

BOOST_AUTO_TEST_CASE(exception_carries_code_diagnostics_and_description)
{
    const diagnostics d = api_error(404, "No such batch.", "invalid_request_error", "", "req_5");
    const batchwire::exception e(error::not_found, d);
    BOOST_TEST(e.code() == error::not_found);
    BOOST_TEST(e.get_diagnostics().request_id == "req_5");
    BOOST_TEST(std::string(e.what()) == describe(error::not_found, d));
    BOOST_TEST(std::string(e.what()) == "404 not_found (invalid_request_error): No such batch. [request id req_5]");

    // Caught through its bases, with the same text.
    try {
        throw e;
    } catch (const boost::system::system_error& base) {
        BOOST_TEST(std::string(base.what()) == describe(error::not_found, d));
        BOOST_TEST(base.code() == error::not_found);
    }
}

BOOST_AUTO_TEST_CASE(throw_on_error)
{
    BOOST_CHECK_NO_THROW(batchwire::throw_on_error({}, {}));
    diagnostics d;
    d.message = "id is empty";
    try {
        batchwire::throw_on_error(error::invalid_argument, d);
        BOOST_ERROR("no exception");
    } catch (const batchwire::exception& e) {
        BOOST_TEST(e.code() == error::invalid_argument);
        BOOST_TEST(std::string(e.what()) == "invalid_argument: id is empty");
    }
}

BOOST_AUTO_TEST_CASE(diagnostics_clear)
{
    diagnostics d = api_error(500, "m", "t", "c", "r");
    d.should_retry = true;
    d.attempts = 3;
    d.clear();
    BOOST_TEST(d.http_status == 0u);
    BOOST_TEST(d.message.empty());
    BOOST_TEST(!d.should_retry);
    BOOST_TEST(d.attempts == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
