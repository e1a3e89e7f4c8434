#ifndef BATCHWIRE_EMULATOR_EMULATOR_OPTIONS_HPP
#define BATCHWIRE_EMULATOR_EMULATOR_OPTIONS_HPP

// Configuration of the Batch API emulator (tools/emulator). Every duration that names
// "emulated" time is measured on the emulator's clock, which runs time_scale times faster
// than the wall clock, or only moves through server::advance() with manual_clock.

#include <batchwire/emulator/webhook_retry.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace batchwire::emulator {

struct emulator_options {
    // Listening.
    std::string host = "127.0.0.1";
    unsigned short port = 0; // 0 = pick a free port
    bool tls = true;         // false = plain http

    // TLS identity. Empty: a CA and a server certificate (SAN 127.0.0.1, ::1, localhost)
    // are generated at start and the CA is written to a temporary directory the server owns.
    std::string cert_file{}, key_file{}, ca_file{};
    // The names a generated certificate is for, as an X.509 subjectAltName value (tests of
    // host-name verification give it other names).
    std::string certificate_names = "DNS:localhost,IP:127.0.0.1,IP:::1";

    // Expected "Authorization: Bearer <key>"; empty = accept any non-empty bearer token.
    std::string api_key = "sk-emulator";

    // The clock.
    double time_scale = 1.0;                   // emulated seconds per wall second
    bool manual_clock = false;                 // emulated time only moves via server::advance()
    std::optional<std::int64_t> start_time{};  // emulated unix seconds at construction; default: now

    // The batch lifecycle (emulated durations).
    std::chrono::seconds validating_duration{2};
    double requests_per_second = 5;            // execution rate; <= 0 runs every request at once
    std::chrono::seconds finalizing_duration{2};
    std::chrono::seconds cancelling_window{600};  // the documented "up to 10 minutes"
    std::chrono::seconds cancel_drain_duration{1}; // requests in flight keep completing this long after a cancel
    std::chrono::seconds completion_window{24 * 3600};
    std::int64_t default_file_expiry_seconds = 30 * 24 * 3600; // purpose=batch files expire after 30 days

    // Sent as openai-poll-after-ms on batch reads (retrieve, cancel, create, list) when set.
    std::optional<std::chrono::milliseconds> poll_after_hint{};

    // Connections.
    std::size_t max_connections = 10000;       // beyond this, new connections are closed at once
    std::size_t close_after_requests = 0;      // 0 = never; else `Connection: close` on the Nth response
    std::chrono::milliseconds idle_close{0};   // 0 = never; else idle keep-alive connections are closed silently
    std::chrono::milliseconds handshake_timeout{10000};
    // A request must arrive whole within this, from its first byte to the end of its body
    // (uploads included; a 100-continue wait too): a client that sends half a request and
    // stalls gets 408 with `Connection: close`, then the connection is closed. 0 = never.
    // Waiting for a request's first byte on a keep-alive connection is not counted: that
    // is idle time, governed by idle_close.
    std::chrono::milliseconds request_timeout{30000};

    // Limits.
    std::size_t max_header_bytes = 16 * 1024;        // larger request heads get 431
    std::size_t max_body_bytes = 1024 * 1024;        // JSON bodies; larger get 413
    std::size_t max_file_bytes = 200u * 1024 * 1024; // an uploaded file; larger get 413
    std::size_t max_file_lines = 50000;              // requests in a batch input file; more get 400

    // Webhooks. With a URL, each batch that ends (completed, failed, expired, cancelled) is
    // POSTed to it as a signed event (see webhook_sender.hpp): plain http, the host an IP
    // address or localhost ("http://127.0.0.1:8080/webhook"). The secret is needed then:
    // "whsec_" + base64, or raw text.
    std::string webhook_url{};
    std::string webhook_secret{};
    webhook_retry_params webhook_retry{};              // attempts and backoff (emulated time)
    std::chrono::milliseconds webhook_attempt_timeout{10000}; // wall time for one attempt

    // Seed of the generator behind fault_rule::probability (deterministic schedules).
    std::uint64_t fault_seed = 0x5eed;
};

} // namespace batchwire::emulator

#endif
