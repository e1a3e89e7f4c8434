#ifndef BATCHWIRE_CLIENT_OPTIONS_HPP
#define BATCHWIRE_CLIENT_OPTIONS_HPP

// Everything a client is configured with, as an aggregate with documented defaults,
// and from_env() for the SDKs' environment variables.

#include <batchwire/logger.hpp>
#include <batchwire/pool_params.hpp>
#include <batchwire/retry_options.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace batchwire {

struct tls_options {
    // Trust the system store (OpenSSL's default paths, which honour SSL_CERT_FILE and
    // SSL_CERT_DIR). Verification of the peer and its host name is always on.
    bool use_system_trust = true;
    // Extra CAs to trust, as a PEM file and/or PEM text (e.g. the emulator's CA).
    std::string ca_file;
    std::string ca_pem;
};

struct response_limits {
    std::size_t max_header_bytes = 64 * 1024;
    // For JSON responses; file downloads are streamed and not limited by this.
    std::size_t max_body_bytes = 32u << 20;
    std::size_t max_json_depth = 64;
    // For the typed line reader of batch output/error files.
    std::size_t max_line_bytes = 16u << 20;
};

struct client_options {
    // Scheme (https or http), host (name, IPv4 or [IPv6]), optional port and path prefix.
    std::string base_url = "https://api.openai.com/v1";
    // Sent as "Authorization: Bearer <api_key>"; never logged, never in error text.
    std::string api_key;
    std::string organization; // OpenAI-Organization, sent only when not empty
    std::string project;      // OpenAI-Project, sent only when not empty
    // Extra headers on every request (OPENAI_CUSTOM_HEADERS).
    std::vector<std::pair<std::string, std::string>> default_headers;

    retry_options retry;
    pool_params pool;
    tls_options tls;
    response_limits limits;

    // One attempt: from sending the request to the end of the response (connect included).
    std::chrono::milliseconds attempt_timeout{600000};
    // The whole call, retries and backoff included; zero means no overall deadline.
    std::chrono::milliseconds total_timeout{0};

    batchwire::logger logger; // empty: no logging

    // OPENAI_API_KEY (required: missing -> exception with error::missing_api_key),
    // OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_CUSTOM_HEADERS (one
    // "Name: value" per line). Other fields keep their defaults.
    static client_options from_env();
};

} // namespace batchwire

#endif
