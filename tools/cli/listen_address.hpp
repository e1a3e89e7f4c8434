#ifndef BATCHWIRE_CLI_LISTEN_ADDRESS_HPP
#define BATCHWIRE_CLI_LISTEN_ADDRESS_HPP

// The command-line settings of a webhook listener: its ADDR:PORT ("127.0.0.1:8080",
// "[::1]:8443", "localhost:0"; IP literals only, no resolver), its path and its secret.

#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <string_view>

namespace batchwire::cli {

// Throws usage_error naming --`option` and pointing at `command`'s help.
boost::asio::ip::tcp::endpoint parse_listen_address(const std::string& text, std::string_view option,
                                                    std::string_view command);

// `path` when it starts with '/'; else a usage_error naming --`option`.
std::string checked_listen_path(const std::string& path, std::string_view option, std::string_view command);

// OPENAI_WEBHOOK_SECRET, checked as the verifier reads it. Unset or empty: a usage_error
// saying `missing`; not a valid secret: a usage_error that does not show it.
std::string webhook_secret_from_env(const std::string& missing, std::string_view command);

// "http://127.0.0.1:8080/path" ("https" with `tls`), for messages.
std::string listen_url(const boost::asio::ip::tcp::endpoint& ep, bool tls, std::string_view path);

} // namespace batchwire::cli

#endif
