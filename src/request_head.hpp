#ifndef BATCHWIRE_SRC_REQUEST_HEAD_HPP
#define BATCHWIRE_SRC_REQUEST_HEAD_HPP

// The bytes of a request's head. The fields every request of a client carries (Host,
// Authorization, User-Agent, OpenAI-Organization, OpenAI-Project, the default headers,
// Connection: close when the pool is off) are serialised once per client; a request adds
// its request line and its own fields (Accept, Content-Type, Idempotency-Key,
// Content-Length). Every configured value was checked by the client (header_field.hpp);
// a request's own values are checked here.

#include "origin.hpp"

#include <batchwire/client_options.hpp>

#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::detail {

// The fields of one request, beyond the client's.
struct request_fields {
    std::string_view accept = "application/json";
    std::string_view content_type;    // empty: none
    std::string_view idempotency_key; // empty: none
    std::optional<std::uint64_t> content_length; // none: no Content-Length field
};

class request_head {
public:
    request_head(const origin& o, const client_options& opts, std::string_view authorization);
    ~request_head(); // zeroes the bytes: they hold the API key
    request_head(const request_head&) = delete;
    request_head& operator=(const request_head&) = delete;

    // "METHOD target HTTP/1.1", the client's fields, `own`, the empty line; appended to out.
    // error::invalid_argument when an own value holds a control character (CR/LF would
    // smuggle in a header); out is then unchanged.
    boost::system::error_code serialize(boost::beast::http::verb method, std::string_view target,
                                        const request_fields& own, std::string& out) const;

    // The client's fields, one "Name: value\r\n" each.
    std::string_view client_fields() const noexcept { return fields_; }

private:
    std::string fields_;
};

// Whether a request with this method and body size carries Content-Length (as Beast's
// prepare_payload decides: any body, or an empty one for POST, PUT and OPTIONS).
bool needs_content_length(boost::beast::http::verb method, std::uint64_t body_size) noexcept;

} // namespace batchwire::detail

#endif
