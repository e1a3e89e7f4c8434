// The CLI's error line (tools/cli/exit_status.cpp, compiled into the unit tests): what
// `batchwire` prints on stderr when an operation fails.

#include "../../tools/cli/exit_status.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>

using namespace batchwire;
using batchwire::cli::error_line;
using std::chrono::milliseconds;

namespace {

// A 429 whose retry-after was beyond the retry policy's cap.
diagnostics too_long(std::optional<milliseconds> retry_after)
{
    diagnostics d;
    d.http_status = 429;
    d.message = "Rate limit reached for requests.";
    d.type = "requests";
    d.code = "rate_limit_exceeded";
    d.request_id = "req_123";
    d.retry_after = retry_after;
    d.attempts = 1;
    return d;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli_error_line)

BOOST_AUTO_TEST_CASE(retry_after_too_long_says_how_long_the_server_asked_to_wait)
{
    const boost::system::error_code ec = error::retry_after_too_long;
    BOOST_TEST(error_line(ec, too_long(std::chrono::hours(1))) ==
               "retry_after_too_long: Rate limit reached for requests. [request id req_123]"
               " (the server asked to wait 1h before retrying)");

    struct row {
        std::optional<milliseconds> retry_after;
        std::string clause; // "" when the line says nothing about the wait
    };
    const row rows[] = {
        {milliseconds(1), " (the server asked to wait 1ms before retrying)"},
        {milliseconds(60'001), " (the server asked to wait 1m1ms before retrying)"},
        {milliseconds(90'000), " (the server asked to wait 1m30s before retrying)"},
        {std::chrono::hours(24) + milliseconds(500), " (the server asked to wait 24h500ms before retrying)"},
        {std::chrono::hours(1'000'000), " (the server asked to wait 1000000h before retrying)"},
        {milliseconds(0), ""},       // nothing to say about a wait of nothing
        {milliseconds(-5'000), ""},  // nor about a negative one
        {std::nullopt, ""},          // the delay is unknown
    };
    for (const row& r : rows) {
        const diagnostics d = too_long(r.retry_after);
        BOOST_TEST(error_line(ec, d) == describe(ec, d) + r.clause,
                   (r.retry_after ? std::to_string(r.retry_after->count()) + " ms" : std::string("no delay")));
    }
}

BOOST_AUTO_TEST_CASE(other_errors_say_nothing_about_a_wait)
{
    // A rate limit within the cap was retried and still failed: its retry-after is history.
    const diagnostics d = too_long(std::chrono::seconds(30));
    for (const error e : {error::rate_limited, error::server_error, error::timeout}) {
        const boost::system::error_code ec = e;
        BOOST_TEST(error_line(ec, d) == describe(ec, d));
        BOOST_TEST(error_line(ec, d).find("asked to wait") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(configuration_errors_get_a_hint)
{
    const diagnostics none;
    BOOST_TEST(error_line(error::missing_api_key, none) ==
               describe(error::missing_api_key, none) + " (export OPENAI_API_KEY=<your key>; see 'batchwire --help')");
    BOOST_TEST(error_line(error::tls_handshake_failed, none) ==
               describe(error::tls_handshake_failed, none) + " (a private or test CA needs --ca-file or SSL_CERT_FILE)");
    BOOST_TEST(error_line(error::invalid_base_url, none) ==
               describe(error::invalid_base_url, none) + " (check --base-url / OPENAI_BASE_URL)");
}

BOOST_AUTO_TEST_CASE(retry_after_too_long_exits_as_an_api_error)
{
    BOOST_TEST(static_cast<int>(cli::exit_status_for(error::retry_after_too_long)) ==
               static_cast<int>(cli::exit_status::api_error));
}

BOOST_AUTO_TEST_SUITE_END()
