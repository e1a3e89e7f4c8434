#ifndef BATCHWIRE_RESULTS_HPP
#define BATCHWIRE_RESULTS_HPP

// What became of each request of a finished batch, by custom_id (never by line order).
//
// A finished batch has up to two files: the output file (requests that got a 2xx answer)
// and the error file (requests that got an HTTP error, and those that never ran). Either
// id may be null or empty: that file does not exist (a batch whose requests all failed has
// no output file; a batch that failed validation has neither). Each line is one outcome:
//
//   succeeded  a response with a 2xx status: status code, request id, body
//   failed     a response with any other status, or an error other than the two below
//   not_run    no response and error code batch_cancelled or batch_expired: never executed
//   missing    (reconciling with the input only) an input custom_id found in neither file
//
// reconcile.hpp holds the pure bookkeeping; recover.hpp the operations that download,
// reconcile and write the resubmit file.

#include <batchwire/batch_line.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string_view>

namespace batchwire {

enum class outcome : std::uint8_t { succeeded, failed, not_run, missing };

// "succeeded", "failed", "not_run", "missing".
std::string_view to_string(outcome o) noexcept;

// The outcome of one output or error line (never `missing`). A response decides when there
// is one: 200..299 succeeded, anything else failed. Without a response, an error whose code
// is batch_cancelled or batch_expired is not_run; any other error, or none at all, failed.
outcome classify(const batch_output_line& line) noexcept;

// One line of `batchwire results -o`: {"custom_id", "outcome", "status_code", "request_id",
// and "body" (with a response) or "error" ({code, message}, without one)}; status_code and
// request_id are null without a response.
boost::json::object outcome_record(outcome o, const batch_output_line& line);

} // namespace batchwire

#endif
