#ifndef BATCHWIRE_SRC_WATCH_SUBSCRIBER_HPP
#define BATCHWIRE_SRC_WATCH_SUBSCRIBER_HPP

// One watcher of a shared poll loop: what it keeps of its watch_options (its callbacks,
// schedule and deadline rule, not the poll request options: the loop keeps those of its
// first watcher), its handler, and what it has seen so far.

#include "poll_schedule.hpp"
#include "watch_deadline.hpp"

#include <batchwire/watch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace batchwire::detail {

struct watch_subscriber {
    using clock = std::chrono::steady_clock;

    std::uint64_t id = 0;
    watch_handler handler;
    diagnostics* diag_out = nullptr; // the watcher's diagnostics, written before completion
    std::function<void(const batch_transition&)> on_transition;
    std::function<void(const boost::system::error_code&, const diagnostics&)> on_poll_error;
    poll_settings schedule;
    deadline_rule rule;
    clock::time_point deadline = clock::time_point::max(); // max: none yet
    bool fixed_deadline = false;                           // from watch_options::timeout
    bool report_progress = true;
    std::optional<batch_status> last_status;
    std::optional<batch_request_counts> last_counts;

    std::optional<clock::time_point> deadline_if_any() const
    {
        if (deadline == clock::time_point::max())
            return std::nullopt;
        return deadline;
    }
};

// The subscriber of a watcher with options `o` (all but poll_request taken from it).
inline watch_subscriber make_subscriber(std::uint64_t id, watch_options& o, diagnostics* diag)
{
    watch_subscriber s;
    s.id = id;
    s.diag_out = diag;
    s.on_transition = std::move(o.on_transition);
    s.on_poll_error = std::move(o.on_poll_error);
    s.schedule = o;
    s.rule = deadline_rule_of(o);
    if (o.timeout) {
        s.deadline = watch_subscriber::clock::now() + *o.timeout;
        s.fixed_deadline = true;
    }
    s.report_progress = o.report_progress;
    return s;
}

} // namespace batchwire::detail

#endif
