#ifndef BATCHWIRE_SRC_ORIGIN_HPP
#define BATCHWIRE_SRC_ORIGIN_HPP

// The parsed base URL: where to connect and what every request target starts with.

#include <batchwire/error.hpp>

#include <string>
#include <string_view>

namespace batchwire::detail {

struct origin {
    bool tls = true;
    std::string host;        // as for SNI / the Host header: a name, or an IP without brackets
    bool host_is_ip = false;
    unsigned short port = 443;
    std::string host_header; // "host", "host:port", "[::1]:port"
    std::string path_prefix; // "/v1" (no trailing slash; may be empty)
};

// Parses base_url with Boost.URL. error::invalid_base_url (with a reason in `why`) for
// anything but http/https with a host and no query or fragment.
origin parse_origin(std::string_view base_url, boost::system::error_code& ec, std::string& why);

// One percent-encoded path segment from an id: '/', '?', '#', '%', spaces, CR/LF and every
// other reserved byte are encoded, so an id can never change the path, the query or the
// request line. Empty ids and "." / ".." are error::invalid_argument.
std::string encode_path_segment(std::string_view id, boost::system::error_code& ec);

} // namespace batchwire::detail

#endif
