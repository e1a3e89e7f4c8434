#ifndef BATCHWIRE_CLI_LISTEN_ADDRESS_HPP
#define BATCHWIRE_CLI_LISTEN_ADDRESS_HPP

// An ADDR:PORT option value for a webhook listener: "127.0.0.1:8080", "[::1]:8443",
// "localhost:0". IP literals only (no resolver).

#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <string_view>

namespace batchwire::cli {

// Throws usage_error naming --`option` and pointing at `command`'s help.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& text, std::string_view option,
                                                    std::string_view command);

// "http://127.0.0.1:8080/path" ("https" with `tls`), for messages.
std::string listen_url(const boost::asio::ip::tcp::endpoint& ep, bool tls, std::string_view path);

} // namespace batchwire::cli

#endif
