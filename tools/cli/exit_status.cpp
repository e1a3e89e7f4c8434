#include "exit_status.hpp"

#include "command_line.hpp"
#include "duration_text.hpp"

#include <boost/asio/error.hpp>

#include <cstdio>
#include <string>

namespace batchwire::cli {

namespace {

void print_line(std::string_view text)
{
    std::fprintf(stderr, "batchwire: %.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(stderr);
}

bool is_cancellation(const boost::system::error_code& ec) noexcept
{
    return ec == error::cancelled || ec == boost::asio::error::operation_aborted;
}

void report_interrupted(const diagnostics* diag)
{
    if (diag && diag->request_may_have_been_processed)
        print_line("interrupted (the request had been sent: the server may have acted on it)");
    else
        print_line("interrupted");
}

} // namespace

exit_status exit_status_for(const boost::system::error_code& ec) noexcept
{
    if (ec.category() != error_category())
        return exit_status::other_error;
    switch (static_cast<error>(ec.value())) {
    case error::invalid_argument:
    case error::missing_api_key:
    case error::invalid_base_url:
        return exit_status::usage_error;
    case error::connect_failed:
    case error::tls_handshake_failed:
    case error::connection_lost:
    case error::protocol_error:
        return exit_status::network_error;
    case error::timeout:
    case error::deadline_exceeded:
    case error::watch_deadline_exceeded:
        return exit_status::timed_out;
    case error::file_error:
        return exit_status::local_file_error;
    // The server answered with an error status; retry_after_too_long is a 429/503 whose
    // requested wait was beyond the cap.
    case error::bad_request:
    case error::authentication_failed:
    case error::permission_denied:
    case error::not_found:
    case error::conflict:
    case error::unprocessable_entity:
    case error::rate_limited:
    case error::insufficient_quota:
    case error::server_error:
    case error::http_error:
    case error::retry_after_too_long:
        return exit_status::api_error;
    case error::cancelled:
    case error::response_too_large:
    case error::parse_error:
    case error::invalid_response:
        return exit_status::other_error;
    }
    return exit_status::other_error;
}

exit_status exit_status_for(batch_status s) noexcept
{
    switch (s) {
    case batch_status::completed:
        return exit_status::success;
    case batch_status::cancelled:
        return exit_status::batch_cancelled;
    case batch_status::failed:
        return exit_status::batch_failed;
    case batch_status::expired:
        return exit_status::batch_expired;
    default:
        return exit_status::other_error;
    }
}

std::string error_line(const boost::system::error_code& ec, const diagnostics& diag)
{
    std::string line = describe(ec, diag);
    if (ec == error::missing_api_key)
        line += " (export OPENAI_API_KEY=<your key>; see 'batchwire --help')";
    else if (ec == error::tls_handshake_failed)
        line += " (a private or test CA needs --ca-file or SSL_CERT_FILE)";
    else if (ec == error::invalid_base_url)
        line += " (check --base-url / OPENAI_BASE_URL)";
    else if (ec == error::retry_after_too_long && diag.retry_after && diag.retry_after->count() > 0)
        // The call ended instead of waiting: the user decides whether to come back later.
        line += " (the server asked to wait " + format_duration(*diag.retry_after) + " before retrying)";
    return line;
}

void report_error(const boost::system::error_code& ec, const diagnostics& diag)
{
    print_line(error_line(ec, diag));
}

exit_status report_exception(std::exception_ptr e, bool interrupted)
{
    try {
        std::rethrow_exception(e);
    } catch (const usage_error& u) {
        const std::string where = u.command().empty() ? std::string() : " " + u.command();
        std::fprintf(stderr, "batchwire%s: %s (see 'batchwire%s --help')\n", where.c_str(), u.what(), where.c_str());
        return exit_status::usage_error;
    } catch (const exception& x) {
        if (interrupted && is_cancellation(x.code())) {
            report_interrupted(&x.get_diagnostics());
            return exit_status::interrupted;
        }
        report_error(x.code(), x.get_diagnostics());
        return exit_status_for(x.code());
    } catch (const boost::system::system_error& x) {
        // Asio throws operation_aborted from a co_await once the coroutine was cancelled.
        if (interrupted && is_cancellation(x.code())) {
            report_interrupted(nullptr);
            return exit_status::interrupted;
        }
        print_line(x.what());
        return exit_status_for(x.code());
    } catch (const std::exception& x) {
        print_line(std::string("unexpected error: ") + x.what());
    } catch (...) {
        print_line("unexpected error");
    }
    return exit_status::other_error;
}

} // namespace batchwire::cli
