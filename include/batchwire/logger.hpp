#ifndef BATCHWIRE_LOGGER_HPP
#define BATCHWIRE_LOGGER_HPP

// A logger hook: structured events from the client. Nothing in an event ever holds
// credentials: headers are not logged, and targets hold only the path and query.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

namespace batchwire {

enum class log_level : std::uint8_t { debug, info, warning, error };

enum class log_event_kind : std::uint8_t {
    request_sent,       // method, target, attempt
    response_received,  // status, request_id, elapsed
    retry_scheduled,    // delay, reason (the error), attempt
    request_failed,     // reason, attempt
    connection_opened,  // connection_id, elapsed (connect + handshake)
    connection_reused,  // connection_id
    connection_closed,  // connection_id, reason
};

std::string_view to_string(log_event_kind k) noexcept;

struct log_event {
    log_level level = log_level::info;
    log_event_kind kind = log_event_kind::request_sent;
    std::string_view method{};
    std::string_view target{};   // path and query, never headers
    unsigned status = 0;
    std::string_view request_id{};
    unsigned attempt = 0;        // 1 for the first attempt
    std::chrono::milliseconds delay{0};
    std::chrono::microseconds elapsed{0};
    std::string_view reason{};   // a short text: the error, "server closed idle connection", ...
    std::uint64_t connection_id = 0;
};

// Called on the thread that runs the operation; when the io_context runs on several threads
// events can arrive concurrently, so a logger that writes shared state must synchronise.
using logger = std::function<void(const log_event&)>;

// Every event not below `min`, as one line on stderr: "batchwire info request_sent POST /v1/... attempt=1".
logger stderr_logger(log_level min = log_level::info);

} // namespace batchwire

#endif
