// client_options from the official SDKs' environment variables.

#include "trim_blanks.hpp"
#include "env_config.hpp"
#include "header_field.hpp"

#include <batchwire/error.hpp>

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace batchwire {

namespace detail {

namespace {

[[noreturn]] void throw_bad_header_line(std::size_t line_number, std::string_view problem)
{
    diagnostics diag;
    diag.message = "OPENAI_CUSTOM_HEADERS line " + std::to_string(line_number) + ": " + std::string(problem);
    throw exception(error::invalid_argument, std::move(diag));
}

// One "Name: value" a line; blank lines are skipped, and a line may end in CRLF.
std::vector<std::pair<std::string, std::string>> parse_custom_headers(std::string_view text)
{
    std::vector<std::pair<std::string, std::string>> headers;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        line = trim_blanks(line);
        if (line.empty())
            continue;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            throw_bad_header_line(line_number, "expected \"Name: value\"");
        const std::string_view name = trim_blanks(line.substr(0, colon));
        const std::string_view value = trim_blanks(line.substr(colon + 1));
        if (!is_header_name(name))
            throw_bad_header_line(line_number, "the header name is empty or holds characters not allowed in a name");
        if (!is_header_value(value))
            throw_bad_header_line(line_number, "the header value holds a control character");
        headers.emplace_back(name, value);
    }
    return headers;
}

} // namespace

client_options client_options_from(std::function<const char*(const char*)> getenv)
{
    const auto lookup = [&getenv](const char* name) -> std::string_view {
        const char* value = getenv(name);
        return value ? std::string_view{value} : std::string_view{};
    };

    client_options opts;
    opts.api_key = lookup("OPENAI_API_KEY");
    if (opts.api_key.empty()) {
        diagnostics diag;
        diag.message = "OPENAI_API_KEY is not set";
        throw exception(error::missing_api_key, std::move(diag));
    }
    if (const std::string_view url = lookup("OPENAI_BASE_URL"); !url.empty())
        opts.base_url = url;
    opts.organization = lookup("OPENAI_ORG_ID");
    opts.project = lookup("OPENAI_PROJECT_ID");
    opts.default_headers = parse_custom_headers(lookup("OPENAI_CUSTOM_HEADERS"));
    return opts;
}

} // namespace detail

client_options client_options::from_env()
{
    // A lambda, not &std::getenv: the address of a standard library function is unspecified.
    return detail::client_options_from([](const char* name) { return std::getenv(name); });
}

} // namespace batchwire
