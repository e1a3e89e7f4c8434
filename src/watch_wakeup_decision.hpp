#ifndef BATCHWIRE_SRC_WATCH_WAKEUP_DECISION_HPP
#define BATCHWIRE_SRC_WATCH_WAKEUP_DECISION_HPP

// What a verified webhook event does to the watches: a pure function of what is known when
// it arrives. The caller's thread knows the first two facts (wake_watches classifies the
// event with them); the poll loop's strand knows all four and carries the action out.

#include <cstdint>

namespace batchwire::detail {

struct wakeup_facts {
    bool batch_event = false;    // one of the four batch types, with a batch id
    bool watched = false;        // the batch has a poll loop with at least one watcher
    bool poll_in_flight = false; // that loop's retrieve has been sent and not answered
    bool wake_pending = false;   // an earlier event's poll has not started yet
};

enum class wakeup_action : std::uint8_t {
    poll_now,             // cut the loop's wait: it polls at once
    poll_after_in_flight, // the answer in flight may predate the event: poll once more after it
    already_pending,      // a poll that has not started yet covers this event too
    unwatched,            // nobody watches the batch
    ignored,              // not a batch event
};

// Coalescing: any number of events before a poll starts cost that one poll, so N events
// while a poll is in flight give at most one extra poll.
wakeup_action decide_wakeup(const wakeup_facts& f) noexcept;

} // namespace batchwire::detail

#endif
