#ifndef BATCHWIRE_BATCH_CREATE_PARAMS_HPP
#define BATCHWIRE_BATCH_CREATE_PARAMS_HPP

// The body of POST /batches (spec: components.schemas.CreateBatchRequest).

#include <batchwire/metadata.hpp>

#include <boost/json/fwd.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace batchwire {

// Expiration policy of the output and error files a batch produces.
struct file_expiration {
    std::string anchor = "created_at"; // the only documented anchor
    std::int64_t seconds = 0;          // 3600 (1 hour) .. 2592000 (30 days)
    friend bool operator==(const file_expiration&, const file_expiration&) = default;
};

struct batch_create_params {
    std::string input_file_id;
    std::string endpoint;                    // e.g. "/v1/chat/completions"
    std::string completion_window = "24h";   // the only documented window
    std::optional<metadata_map> metadata;
    std::optional<file_expiration> output_expires_after;

    // Checks what the spec documents before anything is sent: non-empty ids, a known
    // endpoint, metadata limits, the expiration range. Empty error_code when valid.
    boost::system::error_code validate(std::string* why = nullptr) const;

    friend bool operator==(const batch_create_params&, const batch_create_params&) = default;
};

// True for the endpoints the spec lists for batches.
bool is_batch_endpoint(std::string_view endpoint) noexcept;

batch_create_params tag_invoke(boost::json::value_to_tag<batch_create_params>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_create_params& p);

} // namespace batchwire

#endif
