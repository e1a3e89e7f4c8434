#ifndef BATCHWIRE_CLI_GLOBAL_OPTIONS_HPP
#define BATCHWIRE_CLI_GLOBAL_OPTIONS_HPP

// The options every command accepts, and the client configuration they produce: the
// environment first (client_options::from_env), then these on top.

#include "command_line.hpp"

#include <batchwire/client_options.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>

namespace batchwire::cli {

struct global_settings {
    std::optional<std::string> base_url;                      // --base-url
    std::optional<std::chrono::milliseconds> attempt_timeout; // --timeout-per-attempt
    std::optional<unsigned> max_retries;                      // --max-retries
    bool verbose = false;                                     // --verbose
    std::string ca_file;                                      // --ca-file
    double server_time_scale = 1.0;                           // --server-time-scale
    std::optional<std::chrono::milliseconds> poll_interval;   // --poll-interval
    bool pretty = false;                                      // --pretty
};

std::span<const option_spec> global_option_specs();

// Throws usage_error for a malformed value.
global_settings read_global_settings(const parsed_options& given);

// client_options::from_env() with the settings applied. Throws batchwire::exception:
// missing_api_key, invalid_argument (OPENAI_CUSTOM_HEADERS), file_error (--ca-file unreadable).
client_options make_client_options(const global_settings& settings);

} // namespace batchwire::cli

#endif
