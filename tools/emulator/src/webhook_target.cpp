#include <batchwire/emulator/webhook_target.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <stdexcept>

namespace batchwire::emulator {

namespace {

std::invalid_argument bad_url(std::string_view url, std::string_view why)
{
    return std::invalid_argument("webhook url '" + std::string(url) + "': " + std::string(why));
}

} // namespace

webhook_target parse_webhook_target(std::string_view url)
{
    const auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed)
        throw bad_url(url, "not an absolute URL");
    const boost::urls::url_view u = *parsed;
    if (u.scheme() != "http")
        throw bad_url(url, "only http:// is supported");
    if (u.has_userinfo() || u.has_fragment())
        throw bad_url(url, "no user information or fragment, please");

    std::string host(u.encoded_host_address());
    if (host == "localhost")
        host = "127.0.0.1";
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (host.empty() || ec)
        throw bad_url(url, "the host must be an IP address or localhost");

    // Read here rather than with port_number(): Boost.URL 1.81 does not refuse a port over
    // 65535 there.
    unsigned port = 80;
    if (u.has_port()) {
        const std::string_view text = u.port();
        const auto res = std::from_chars(text.data(), text.data() + text.size(), port);
        if (text.empty() || res.ec != std::errc{} || res.ptr != text.data() + text.size() || port == 0 ||
            port > 65535)
            throw bad_url(url, "bad port");
    }

    webhook_target t;
    t.endpoint = {address, static_cast<unsigned short>(port)};
    t.host = std::string(u.encoded_host_and_port());
    t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
    if (u.has_query())
        t.target += "?" + std::string(u.encoded_query());
    return t;
}

} // namespace batchwire::emulator
