#ifndef BATCHWIRE_SRC_POLL_SCHEDULE_HPP
#define BATCHWIRE_SRC_POLL_SCHEDULE_HPP

// When a watch polls next: a pure function of the last poll's outcome, the interval that
// led to it, a jitter draw, the server's hint and the watchers' earliest deadline. The poll
// loop (watch_poll.cpp) only sleeps until the time it returns.

#include <batchwire/watch.hpp>

#include <chrono>
#include <optional>

namespace batchwire::detail {

// The part of watch_options the schedule reads: what each watcher keeps of its options for
// planning (56 bytes instead of the whole watch_options). Implicit from watch_options.
struct poll_settings {
    poll_settings() = default;
    poll_settings(const watch_options& o) noexcept; // implicit: a watch_options plans as its settings
    std::chrono::milliseconds initial_interval{1000};
    std::chrono::milliseconds max_interval{30000};
    double backoff_factor = 1.5;
    std::chrono::milliseconds max_server_hint{30000};
    std::chrono::milliseconds min_server_hint{100};
    std::chrono::milliseconds fallback_interval{std::chrono::minutes(5)};
    bool woken_by_events = false;
};

enum class poll_outcome {
    changed,   // a snapshot whose status or request_counts differ from the last one
    unchanged, // a snapshot like the last one
    failed,    // a transient error (the watch goes on)
};

struct poll_facts {
    std::chrono::milliseconds previous_interval{0}; // the interval that led to this poll
    poll_outcome outcome = poll_outcome::unchanged;
    double jitter = 1.0; // (0.75, 1], see jitter.hpp
    // openai-poll-after-ms of this poll's response (only a successful poll's is used).
    std::optional<std::chrono::milliseconds> server_hint;
    std::chrono::steady_clock::time_point now;
    std::optional<std::chrono::steady_clock::time_point> deadline; // the earliest watcher's
};

struct poll_plan {
    std::chrono::milliseconds interval{0};         // carried to the next poll's facts
    std::chrono::steady_clock::time_point next_poll; // now + interval (saturated)
    std::chrono::steady_clock::time_point wake_at;   // min(next_poll, deadline): sleep until then
};

// The server's hint clamped to [min_server_hint, max_server_hint] (see watch_options).
std::chrono::milliseconds clamp_server_hint(std::chrono::milliseconds hint, const poll_settings& o) noexcept;

// The interval after `previous` without a hint: back to initial_interval after a change,
// else previous * backoff_factor * jitter, within [initial_interval, max(max_interval,
// initial_interval)]. Intervals are at least 1 ms.
std::chrono::milliseconds backoff_interval(std::chrono::milliseconds previous, poll_outcome outcome, double jitter,
                                           const poll_settings& o) noexcept;

// One watcher's plan. With o.woken_by_events: fallback_interval, lengthened (never
// shortened) by a successful poll's clamped hint; after a failed poll the backoff interval,
// never above fallback_interval. Otherwise the hint when a successful poll sent one, else
// backoff_interval.
poll_plan plan_next_poll(const poll_facts& f, const poll_settings& o) noexcept;

// Of two watchers' plans for one shared loop, the one that polls first.
poll_plan earlier_plan(const poll_plan& a, const poll_plan& b) noexcept;

// The interval a watcher waits after its loop's last poll when it joins the loop:
// fallback_interval with woken_by_events, else initial_interval (at least 1 ms).
std::chrono::milliseconds joining_interval(const poll_settings& o) noexcept;

// `from` + `d`, saturated at the clock's maximum.
std::chrono::steady_clock::time_point time_after(std::chrono::steady_clock::time_point from,
                                                 std::chrono::milliseconds d) noexcept;

// The earlier of next_poll and deadline.
std::chrono::steady_clock::time_point wake_time(std::chrono::steady_clock::time_point next_poll,
                                                std::optional<std::chrono::steady_clock::time_point> deadline) noexcept;

} // namespace batchwire::detail

#endif
