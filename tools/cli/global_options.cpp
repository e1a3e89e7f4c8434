#include "global_options.hpp"

#include "duration_text.hpp"

#include <batchwire/error.hpp>
#include <batchwire/logger.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>

namespace batchwire::cli {

namespace {

constexpr std::array global_specs{
    option_spec{"base-url", 0, "URL", "API base URL (default: OPENAI_BASE_URL, else https://api.openai.com/v1)"},
    option_spec{"timeout-per-attempt", 0, "D", "limit for one HTTP attempt, connect included (default 10m)"},
    option_spec{"max-retries", 0, "N", "retries after a failed attempt (default 2)"},
    option_spec{"verbose", 'v', "", "log requests, responses and retries on stderr"},
    option_spec{"ca-file", 0, "PATH", "also trust the CA certificates in this PEM file (like SSL_CERT_FILE)"},
    option_spec{"server-time-scale", 0, "X", "server seconds per local second (for a time-scaled emulator)"},
    option_spec{"poll-interval", 0, "D", "first poll interval of watch (default 1s; grows up to 30s)"},
    option_spec{"pretty", 0, "", "indent the JSON written on stdout"},
};

template <class Number>
Number parse_number(const std::string& text, std::string_view option)
{
    Number n{};
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc{} || ptr != end)
        throw usage_error("--" + std::string(option) + ": '" + text + "' is not a valid number");
    return n;
}

std::chrono::milliseconds positive_duration(const std::string& text, std::string_view option)
{
    std::string why;
    auto d = parse_duration(text, &why);
    if (!d)
        throw usage_error("--" + std::string(option) + ": " + why);
    if (d->count() <= 0)
        throw usage_error("--" + std::string(option) + " must be longer than zero");
    return *d;
}

} // namespace

std::span<const option_spec> global_option_specs() { return global_specs; }

global_settings read_global_settings(const parsed_options& given)
{
    global_settings s;
    if (auto v = given.value("base-url")) {
        if (v->empty())
            throw usage_error("--base-url is empty");
        s.base_url = *v;
    }
    if (auto v = given.value("timeout-per-attempt"))
        s.attempt_timeout = positive_duration(*v, "timeout-per-attempt");
    if (auto v = given.value("max-retries")) {
        const unsigned n = parse_number<unsigned>(*v, "max-retries");
        if (n > 100)
            throw usage_error("--max-retries: at most 100");
        s.max_retries = n;
    }
    s.verbose = given.has("verbose");
    if (auto v = given.value("ca-file")) {
        if (v->empty())
            throw usage_error("--ca-file is empty");
        s.ca_file = *v;
    }
    if (auto v = given.value("server-time-scale")) {
        const double x = parse_number<double>(*v, "server-time-scale");
        if (!std::isfinite(x) || x <= 0)
            throw usage_error("--server-time-scale must be a positive number");
        s.server_time_scale = x;
    }
    if (auto v = given.value("poll-interval"))
        s.poll_interval = positive_duration(*v, "poll-interval");
    s.pretty = given.has("pretty");
    return s;
}

client_options make_client_options(const global_settings& settings)
{
    client_options opts = client_options::from_env();
    if (settings.base_url)
        opts.base_url = *settings.base_url;
    if (settings.attempt_timeout)
        opts.attempt_timeout = *settings.attempt_timeout;
    if (settings.max_retries)
        opts.retry.max_retries = *settings.max_retries;
    if (!settings.ca_file.empty()) {
        // Checked here so that a typo reads as a file error, not as a TLS failure.
        if (!std::ifstream(settings.ca_file)) {
            diagnostics diag;
            diag.message = "cannot read the CA file '" + settings.ca_file + "'";
            throw exception(error::file_error, std::move(diag));
        }
        opts.tls.ca_file = settings.ca_file;
    }
    if (settings.verbose)
        opts.logger = stderr_logger(log_level::debug);
    return opts;
}

} // namespace batchwire::cli
