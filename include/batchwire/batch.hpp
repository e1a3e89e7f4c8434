#ifndef BATCHWIRE_BATCH_HPP
#define BATCHWIRE_BATCH_HPP

// The Batch object of the OpenAI Batch API and its parts, as plain structs.
// Wire format: the API reference's Batch object.
// Every field the reference does not require is std::optional: absent and `null` both
// read as std::nullopt. Unknown fields are ignored.

#include <batchwire/metadata.hpp>

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace batchwire {

// The documented statuses, plus `unknown` for any status a newer server may send.
enum class batch_status : std::uint8_t {
    validating,
    failed,
    in_progress,
    finalizing,
    completed,
    expired,
    cancelling,
    cancelled,
    unknown,
};

// The wire name of a status ("in_progress", ...); "unknown" for batch_status::unknown.
std::string_view to_string(batch_status s) noexcept;

// Maps a wire name to its status; anything not documented maps to `unknown`.
batch_status parse_batch_status(std::string_view name) noexcept;

// completed, failed, expired and cancelled end a batch: it never changes status again.
constexpr bool is_terminal(batch_status s) noexcept
{
    return s == batch_status::completed || s == batch_status::failed || s == batch_status::expired ||
           s == batch_status::cancelled;
}

// One entry of Batch.errors.data (a validation error of the input file, usually).
struct batch_error {
    std::string code;                 // empty when absent or null
    std::string message;              // empty when absent or null
    std::optional<std::string> param; // the parameter that caused the error
    std::optional<std::int64_t> line; // the input-file line, when applicable
    friend bool operator==(const batch_error&, const batch_error&) = default;
};

struct batch_request_counts {
    std::int64_t total = 0;
    std::int64_t completed = 0;
    std::int64_t failed = 0;
    friend bool operator==(const batch_request_counts&, const batch_request_counts&) = default;
};

// Token usage; only populated on batches created after 2025-09-07.
struct batch_usage {
    std::int64_t input_tokens = 0;
    std::int64_t cached_tokens = 0; // input_tokens_details.cached_tokens
    std::int64_t output_tokens = 0;
    std::int64_t reasoning_tokens = 0; // output_tokens_details.reasoning_tokens
    std::int64_t total_tokens = 0;
    friend bool operator==(const batch_usage&, const batch_usage&) = default;
};

struct batch {
    // Required by the spec.
    std::string id;
    std::string endpoint;
    std::string input_file_id;
    std::string completion_window;
    batch_status status = batch_status::validating;
    // The status as sent on the wire; kept so that an `unknown` status is not lost.
    std::string status_text;
    std::int64_t created_at = 0;

    // Optional (absent or null on the wire -> nullopt).
    std::optional<std::string> model;
    std::optional<std::vector<batch_error>> errors;
    std::optional<std::string> output_file_id;
    std::optional<std::string> error_file_id;
    std::optional<std::int64_t> in_progress_at;
    std::optional<std::int64_t> expires_at;
    std::optional<std::int64_t> finalizing_at;
    std::optional<std::int64_t> completed_at;
    std::optional<std::int64_t> failed_at;
    std::optional<std::int64_t> expired_at;
    std::optional<std::int64_t> cancelling_at;
    std::optional<std::int64_t> cancelled_at;
    std::optional<batch_request_counts> request_counts;
    std::optional<batch_usage> usage;
    std::optional<metadata_map> metadata;

    bool is_terminal() const noexcept { return batchwire::is_terminal(status); }
    friend bool operator==(const batch&, const batch&) = default;
};

// Boost.JSON conversions. value_to throws batchwire::exception (error::invalid_response)
// whose message names the offending field, e.g. "batch.request_counts.total: expected an integer".
batch tag_invoke(boost::json::value_to_tag<batch>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch& b);
batch_error tag_invoke(boost::json::value_to_tag<batch_error>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_error& e);

} // namespace batchwire

#endif
