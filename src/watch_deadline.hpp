#ifndef BATCHWIRE_SRC_WATCH_DEADLINE_HPP
#define BATCHWIRE_SRC_WATCH_DEADLINE_HPP

// When a watch gives up on a batch that has no fixed timeout: a pure function of the batch
// as seen, the server's clock when it was seen, and the watcher's rule (see watch.hpp).

#include <batchwire/batch.hpp>
#include <batchwire/watch.hpp>

#include <chrono>

namespace batchwire::detail {

// What a watcher keeps of its options to derive its deadline.
struct deadline_rule {
    std::chrono::seconds cancelling_window{600};
    std::chrono::milliseconds grace{60000};
    double server_time_scale = 1.0; // not above 0: taken as 1
};

deadline_rule deadline_rule_of(const watch_options& o) noexcept;

// Local time at which the watch of `b` ends: a batch in `cancelling` gets cancelling_window
// from its cancelling_at (from `server_now` when absent), any other its expires_at (a day
// from `server_now` when absent); the server seconds left are scaled to local ones, added
// to `local_now`, plus grace.
std::chrono::steady_clock::time_point derive_deadline(const batch& b, long long server_now, const deadline_rule& r,
                                                      std::chrono::steady_clock::time_point local_now) noexcept;

} // namespace batchwire::detail

#endif
