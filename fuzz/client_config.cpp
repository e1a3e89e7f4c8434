// Configuration text a client takes from its environment: OPENAI_BASE_URL (Boost.URL),
// OPENAI_CUSTOM_HEADERS (one "Name: value" a line), and ids made into path segments.
// Properties: typed errors only; nothing that reaches a request line, a Host header or SNI
// carries CR, LF, NUL or a space; a path segment decodes back to its id.

#include "fuzz_check.hpp"

#include "env_config.hpp"
#include "header_field.hpp"
#include "origin.hpp"

#include <batchwire/error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using batchwire::fuzz::check;

bool clean(std::string_view s)
{
    for (const char c : s)
        if (c == '\r' || c == '\n' || c == '\0' || c == ' ')
            return false;
    return true;
}

int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void base_url(std::string_view text)
{
    boost::system::error_code ec;
    std::string why;
    const auto o = batchwire::detail::parse_origin(text, ec, why);
    if (ec) {
        check(ec == batchwire::error::invalid_base_url && !why.empty(), "a refused base URL says why");
        return;
    }
    check(!o.host.empty() && o.port != 0, "an accepted base URL has a host and a port");
    check(clean(o.host) && clean(o.host_header) && clean(o.path_prefix), "no CR, LF, NUL or space in host or path");
    check(o.path_prefix.empty() || (o.path_prefix.front() == '/' && o.path_prefix.back() != '/'),
          "the path prefix starts with '/' and does not end with one");
}

void path_segment(std::string_view id)
{
    boost::system::error_code ec;
    const std::string seg = batchwire::detail::encode_path_segment(id, ec);
    if (ec) {
        check(id.empty() || id == "." || id == "..", "only empty, '.' and '..' ids are refused");
        return;
    }
    std::string decoded;
    for (std::size_t i = 0; i < seg.size(); ++i) {
        const char c = seg[i];
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            decoded += c;
            continue;
        }
        check(c == '%' && i + 2 < seg.size() && hex(seg[i + 1]) >= 0 && hex(seg[i + 2]) >= 0,
              "a path segment holds unreserved characters and %XX only");
        decoded += static_cast<char>(hex(seg[i + 1]) * 16 + hex(seg[i + 2]));
        i += 2;
    }
    check(decoded == id, "a path segment decodes to its id");
}

void custom_headers(const std::string& text)
{
    const auto env = [&text](const char* name) -> const char* {
        if (std::strcmp(name, "OPENAI_API_KEY") == 0)
            return "sk-fuzz";
        if (std::strcmp(name, "OPENAI_CUSTOM_HEADERS") == 0)
            return text.c_str();
        return nullptr;
    };
    try {
        const auto opts = batchwire::detail::client_options_from(env);
        for (const auto& [name, value] : opts.default_headers) {
            check(batchwire::detail::is_header_name(name), "a custom header has a valid name");
            check(batchwire::detail::is_header_value(value), "a custom header has a valid value");
        }
    } catch (const batchwire::exception& e) {
        check(e.code() == batchwire::error::invalid_argument, "a bad custom header is invalid_argument");
        check(std::string_view(e.what()).find("sk-fuzz") == std::string_view::npos, "the key is not in the error");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    base_url(text);
    path_segment(text);
    custom_headers(text);
    return 0;
}
