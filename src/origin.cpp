#include "origin.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>

namespace batchwire::detail {

origin parse_origin(std::string_view base_url, boost::system::error_code& ec, std::string& why)
{
    origin o;
    auto parsed = boost::urls::parse_absolute_uri(base_url);
    if (!parsed) {
        ec = error::invalid_base_url;
        why = "not an absolute URL: " + parsed.error().message();
        return o;
    }
    const auto& u = *parsed;
    const auto scheme = u.scheme_id();
    if (scheme != boost::urls::scheme::https && scheme != boost::urls::scheme::http) {
        ec = error::invalid_base_url;
        why = "the scheme must be https or http";
        return o;
    }
    if (!u.has_authority() || u.encoded_host().empty()) {
        ec = error::invalid_base_url;
        why = "the URL has no host";
        return o;
    }
    if (u.has_query() || u.has_fragment() || u.has_userinfo()) {
        ec = error::invalid_base_url;
        why = "the URL must not have user info, a query or a fragment";
        return o;
    }
    o.tls = scheme == boost::urls::scheme::https;
    o.port = o.tls ? 443 : 80;
    if (u.has_port()) {
        if (u.port().empty() || u.port_number() == 0) {
            ec = error::invalid_base_url;
            why = "the port is not a number between 1 and 65535";
            return o;
        }
        o.port = u.port_number();
    }
    switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
        o.host = u.host_address(); // without brackets
        o.host_is_ip = true;
        break;
    case boost::urls::host_type::name:
        o.host = u.host(); // percent-decoded: "%0A" is a newline here
        if (std::any_of(o.host.begin(), o.host.end(), [](char c) {
                return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F;
            })) {
            ec = error::invalid_base_url;
            why = "the host name holds a control character or a space";
            return o;
        }
        break;
    default:
        ec = error::invalid_base_url;
        why = "unsupported host form";
        return o;
    }
    o.host_header = std::string(u.encoded_host_and_port());
    o.path_prefix = std::string(u.encoded_path());
    // Boost.URL 1.81 reads "http://[::1]:80r/v1" as port "80" and path "r/v1".
    if (!o.path_prefix.empty() && o.path_prefix.front() != '/') {
        ec = error::invalid_base_url;
        why = "the URL's path does not start with '/' (is the port a number?)";
        return o;
    }
    while (!o.path_prefix.empty() && o.path_prefix.back() == '/')
        o.path_prefix.pop_back();
    return o;
}

std::string encode_path_segment(std::string_view id, boost::system::error_code& ec)
{
    if (id.empty() || id == "." || id == "..") {
        ec = error::invalid_argument;
        return {};
    }
    return boost::urls::encode(id, boost::urls::unreserved_chars);
}

} // namespace batchwire::detail
