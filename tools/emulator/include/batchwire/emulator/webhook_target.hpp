#ifndef BATCHWIRE_EMULATOR_WEBHOOK_TARGET_HPP
#define BATCHWIRE_EMULATOR_WEBHOOK_TARGET_HPP

// Where the emulator POSTs webhook events: a plain-http URL with an IP literal or
// "localhost" as host (no name resolution: Asio's resolver would run a thread of its own).

#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <string_view>

namespace batchwire::emulator {

struct webhook_target {
    boost::asio::ip::tcp::endpoint endpoint;
    std::string host;   // the Host header: "127.0.0.1:8080"
    std::string target; // path and query: "/hooks?x=1" ("/" when the URL has none)
};

// "http://127.0.0.1:8080/hooks", "http://[::1]:9000/", "http://localhost/x" (port 80 by
// default). Throws std::invalid_argument for another scheme, a host name, a missing host,
// a bad port, or text that is not a URL.
webhook_target parse_webhook_target(std::string_view url);

} // namespace batchwire::emulator

#endif
