#ifndef BATCHWIRE_BATCH_CREATE_PARAMS_HPP
#define BATCHWIRE_BATCH_CREATE_PARAMS_HPP

// The body of POST /batches (the API reference's CreateBatchRequest).

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
    std::string endpoint;                    // e.g. "/v1/chat/completions"; sent as given
    std::string completion_window = "24h";   // the only documented window
    std::optional<metadata_map> metadata;
    std::optional<file_expiration> output_expires_after;

    // Checks what the API documents before anything is sent: a non-empty input file id and
    // endpoint, the window, metadata limits, the expiration range. Empty error_code when
    // valid. An endpoint this version does not know is valid: the API adds batchable
    // endpoints over time, so it is sent as given and the server decides.
    boost::system::error_code validate(std::string* why = nullptr) const;

    friend bool operator==(const batch_create_params&, const batch_create_params&) = default;
};

// True for the batch endpoints the API documents as of this version (responses, chat
// completions, embeddings, completions, moderations, image generations and edits, videos).
// Others are not refused (see validate()); a caller may warn about them.
bool is_batch_endpoint(std::string_view endpoint) noexcept;

batch_create_params tag_invoke(boost::json::value_to_tag<batch_create_params>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_create_params& p);

} // namespace batchwire

#endif
