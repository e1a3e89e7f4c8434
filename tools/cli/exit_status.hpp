#ifndef BATCHWIRE_CLI_EXIT_STATUS_HPP
#define BATCHWIRE_CLI_EXIT_STATUS_HPP

// The process exit statuses of `batchwire`, and the one-line error reports on stderr.
//
//   0    success (for watch / cancel --watch: the batch completed)
//   1    any other failure (an unexpected response, a bug)
//   2    usage error: bad command line, missing OPENAI_API_KEY, bad configuration
//   3    API error: the server answered with an HTTP error status
//   4    network or TLS error: connect, handshake, connection lost, invalid HTTP
//   5    timeout: an attempt timed out, the call's deadline or the watch's deadline passed
//   6    local file error: a file to upload, the CA file, an output file, stdout
//   10   watch / cancel --watch: the batch ended cancelled
//   11   watch / cancel --watch: the batch ended failed
//   12   watch / cancel --watch: the batch ended expired
//   130  interrupted (SIGINT)
//
// The help text (help_text.cpp) prints the same table; keep them together.

#include <batchwire/batch.hpp>
#include <batchwire/error.hpp>

#include <exception>
#include <string>
#include <string_view>

namespace batchwire::cli {

enum class exit_status : int {
    success = 0,
    other_error = 1,
    usage_error = 2,
    api_error = 3,
    network_error = 4,
    timed_out = 5,
    local_file_error = 6,
    batch_cancelled = 10,
    batch_failed = 11,
    batch_expired = 12,
    interrupted = 130,
};

// The status for an error code of any category (never success).
exit_status exit_status_for(const boost::system::error_code& ec) noexcept;

// The status for a batch's terminal status: completed 0, cancelled 10, failed 11,
// expired 12; 1 for a status that is not terminal.
exit_status exit_status_for(batch_status s) noexcept;

// The error line without its "batchwire: " prefix: describe(ec, diag), plus a hint for the
// errors a user fixes by configuration and, for retry_after_too_long, how long the server
// asked to wait. Never holds credentials (describe() holds none).
std::string error_line(const boost::system::error_code& ec, const diagnostics& diag);

// Writes "batchwire: <error_line(ec, diag)>" on stderr.
void report_error(const boost::system::error_code& ec, const diagnostics& diag);

// Reports the exception in flight and returns its exit status: batchwire::exception (and
// watch_deadline_error), boost::system::system_error, usage_error, anything else.
// `interrupted`: SIGINT was received, so a cancellation means "interrupted" (130).
exit_status report_exception(std::exception_ptr e, bool interrupted);

} // namespace batchwire::cli

#endif
