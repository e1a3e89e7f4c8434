#ifndef BATCHWIRE_EMULATOR_FAULT_RULE_HPP
#define BATCHWIRE_EMULATOR_FAULT_RULE_HPP

// Fault injection: what the emulator does wrong, to which requests, and how often.
//
// A rule matches requests by route pattern ("GET /v1/batches/{id}", or a path alone such
// as "/v1/batches/{id}" for any method, or "" / "*" for every request). Of the requests it
// matches, it lets `skip` pass, then applies to the next `count` (0 = forever), each with
// `probability` drawn from a generator seeded by emulator_options::fault_seed. Rules are
// tried in the order they were added; the first that applies takes the request, and the
// rules after it do not count it (so rules added in turn fire in turn: A, then B).
//
// Which faults run the request: http_status, rate_limited and insufficient_quota answer
// without running it (no side effect). Every other kind runs the request first (a batch is
// created or cancelled) and then damages or delays the response, as a network would.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::emulator {

enum class fault_kind {
    http_status,          // `status` with an API error body (server_error for 5xx)
    rate_limited,         // 429, code rate_limit_exceeded
    insufficient_quota,   // 429, type and code insufficient_quota
    close_after_response, // the full response, keep-alive advertised, then a silent TCP close
    reset_mid_response,   // the head and half the body, then a TCP reset (SO_LINGER 0)
    truncate_body,        // the head (full Content-Length) and half the body, then a TCP close
    stall_headers,        // nothing for `stall_for` (nullopt: until the peer closes), then the response
    stall_body,           // the head and half the body, the stall, then the rest
    slow_drip,            // the response in `drip_bytes` pieces every `drip_interval`
    malformed_json,       // 200 (the real status) with Content-Type JSON and a cut-off JSON body
    wrong_content_type,   // `status` with an HTML page (text/html), like a proxy's error page
};

// "http_status", "rate_limited", ...
std::string_view to_string(fault_kind k) noexcept;
std::optional<fault_kind> parse_fault_kind(std::string_view name) noexcept;
std::ostream& operator<<(std::ostream& os, fault_kind k);

struct fault_rule {
    std::string route{};      // "" or "*": every request
    std::size_t skip = 0;     // matching requests let through first
    std::size_t count = 1;    // then applied to this many (0 = forever)
    double probability = 1.0; // of applying to a request in the window
    fault_kind kind = fault_kind::http_status;
    unsigned status = 500;    // http_status and wrong_content_type
    std::optional<double> retry_after_s{};  // sent as retry-after (any kind that sends an error)
    std::optional<double> retry_after_ms{}; // sent as retry-after-ms
    std::optional<bool> should_retry{};     // sent as x-should-retry
    std::chrono::milliseconds drip_interval{10};
    std::size_t drip_bytes = 64;                        // slow_drip piece size
    std::optional<std::chrono::milliseconds> stall_for{}; // stall_*: wall time; nullopt = until the peer closes
};

// Parses the command-line form "route=GET /v1/batches/{id},kind=http_status,status=503,
// skip=0,count=2,probability=0.5,retry_after_s=1,retry_after_ms=250,should_retry=true,
// drip_interval_ms=10,drip_bytes=64,stall_ms=2000". Throws std::invalid_argument naming
// the bad key or value.
fault_rule parse_fault_rule(std::string_view spec);

// Canonical form of a route pattern: "{anything}" becomes "{id}", spaces trimmed.
std::string normalize_route_pattern(std::string_view pattern);

} // namespace batchwire::emulator

#endif
