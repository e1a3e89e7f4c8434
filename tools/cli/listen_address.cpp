#include "listen_address.hpp"

#include "command_line.hpp"

#include <batchwire/error.hpp>
#include <batchwire/webhook_verifier.hpp>

#include <charconv>
#include <cstdlib>
#include <vector>

namespace batchwire::cli {

namespace asio = boost::asio;

asio::ip::tcp::endpoint parse_listen_address(const std::string& text, std::string_view option,
                                             std::string_view command)
{
    const std::string flag = "--" + std::string(option);
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos)
        throw usage_error(flag + ": expected ADDR:PORT, got '" + text + "'", command);
    std::string host = text.substr(0, colon);
    const std::string port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host == "localhost")
        host = "127.0.0.1";
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    unsigned port = 0;
    const auto [end, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec || perr != std::errc{} || end != port_text.data() + port_text.size() || port_text.empty() || port > 65535)
        throw usage_error(flag + ": '" + text + "' is not an IP address and a port", command);
    return {address, static_cast<unsigned short>(port)};
}

std::string checked_listen_path(const std::string& path, std::string_view option, std::string_view command)
{
    if (path.empty() || path.front() != '/')
        throw usage_error("--" + std::string(option) + " must start with '/'", command);
    return path;
}

std::string webhook_secret_from_env(const std::string& missing, std::string_view command)
{
    const char* secret = std::getenv("OPENAI_WEBHOOK_SECRET");
    if (!secret || !*secret)
        throw usage_error(missing, command);
    try {
        const std::vector<std::string> secrets{secret};
        const webhook_verifier check(secrets);
    } catch (const exception&) {
        throw usage_error("OPENAI_WEBHOOK_SECRET is not a valid secret: whsec_ followed by base64", command);
    }
    return secret;
}

std::string listen_url(const asio::ip::tcp::endpoint& ep, bool tls, std::string_view path)
{
    const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(ep.port()) + std::string(path);
}

} // namespace batchwire::cli
