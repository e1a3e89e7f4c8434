#ifndef BATCHWIRE_LOGGER_HPP
#define BATCHWIRE_LOGGER_HPP

// A logger hook: structured events from the client. Nothing in an event ever holds
// credentials: headers are not logged, and targets hold only the path and query.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>

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

// A callable that receives events, and the lowest level it wants. The client asks
// enabled(level) before it builds an event, so events below the level cost nothing.
// Called on the thread that runs the operation; when the io_context runs on several threads
// events can arrive concurrently, so a logger that writes shared state must synchronise.
class logger {
public:
    logger() = default; // empty: no logging

    // Any callable taking `const log_event&`; events below `min` never reach it.
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, logger> &&
                                                std::is_invocable_v<F&, const log_event&>>>
    logger(F f, log_level min = log_level::debug) : fn_(std::move(f)), min_(min)
    {
    }

    explicit operator bool() const noexcept { return static_cast<bool>(fn_); }
    log_level min_level() const noexcept { return min_; }
    // Whether an event of `level` would be delivered.
    bool enabled(log_level level) const noexcept { return fn_ && level >= min_; }

    // Delivers `e` when its level is enabled.
    void operator()(const log_event& e) const
    {
        if (enabled(e.level))
            fn_(e);
    }

    // Builds the event (build() returns a log_event) only when `level` is enabled, and
    // delivers it with that level.
    template <class Build>
    void log(log_level level, Build&& build) const
    {
        if (!enabled(level))
            return;
        log_event e = std::forward<Build>(build)();
        e.level = level;
        fn_(e);
    }

private:
    std::function<void(const log_event&)> fn_;
    log_level min_ = log_level::debug;
};

// Every event not below `min`, as one line on stderr: "batchwire info request_sent POST /v1/... attempt=1".
logger stderr_logger(log_level min = log_level::info);

} // namespace batchwire

#endif
