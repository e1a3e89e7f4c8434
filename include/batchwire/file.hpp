#ifndef BATCHWIRE_FILE_HPP
#define BATCHWIRE_FILE_HPP

// The File object (the API reference's OpenAIFile).

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace batchwire {

struct file_object {
    // Required by the spec.
    std::string id;
    std::int64_t bytes = 0;
    std::int64_t created_at = 0;
    std::string filename;
    std::string purpose; // "batch", "batch_output", ... kept as sent
    std::string status;  // deprecated by the API; "uploaded", "processed" or "error";
                         // read leniently: empty when absent or null (the spec's examples omit it)
    // Optional.
    std::optional<std::int64_t> expires_at;
    std::optional<std::string> status_details;

    friend bool operator==(const file_object&, const file_object&) = default;
};

file_object tag_invoke(boost::json::value_to_tag<file_object>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const file_object& f);

} // namespace batchwire

#endif
