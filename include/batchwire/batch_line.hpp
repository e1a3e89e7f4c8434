#ifndef BATCHWIRE_BATCH_LINE_HPP
#define BATCHWIRE_BATCH_LINE_HPP

// The JSONL lines of batch files.
//   input:         {"custom_id", "method", "url", "body"}
//   output/error:  {"id", "custom_id", "response": {status_code, request_id, body} | null,
//                   "error": {code, message} | null}
// Match outputs to inputs by custom_id, never by line order.

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace batchwire {

struct batch_input_line {
    std::string custom_id;
    std::string method = "POST";
    std::string url; // e.g. "/v1/chat/completions"
    boost::json::value body;
    friend bool operator==(const batch_input_line&, const batch_input_line&) = default;
};

struct batch_line_response {
    int status_code = 0;
    std::string request_id;
    boost::json::value body;
    friend bool operator==(const batch_line_response&, const batch_line_response&) = default;
};

struct batch_line_error {
    std::string code;
    std::string message;
    friend bool operator==(const batch_line_error&, const batch_line_error&) = default;
};

struct batch_output_line {
    std::string id;
    std::string custom_id;
    std::optional<batch_line_response> response; // null for non-HTTP failures
    std::optional<batch_line_error> error;       // set when the request did not succeed
    friend bool operator==(const batch_output_line&, const batch_output_line&) = default;
};

batch_input_line tag_invoke(boost::json::value_to_tag<batch_input_line>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_input_line& l);
batch_output_line tag_invoke(boost::json::value_to_tag<batch_output_line>, const boost::json::value& v);
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const batch_output_line& l);

} // namespace batchwire

#endif
