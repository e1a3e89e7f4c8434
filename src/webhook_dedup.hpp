#ifndef BATCHWIRE_SRC_WEBHOOK_DEDUP_HPP
#define BATCHWIRE_SRC_WEBHOOK_DEDUP_HPP

// Duplicate suppression: the webhook-ids seen within a window, at most `capacity` of them
// (the oldest forgotten first), so memory stays bounded whatever the sender does. Only
// verified deliveries are recorded: forged ones cannot push real ids out.
// Pure and single-threaded: the caller serialises and passes the time.

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace batchwire::detail {

class webhook_dedup {
public:
    using time_point = std::chrono::system_clock::time_point;

    webhook_dedup(std::size_t capacity, std::chrono::seconds window);

    // True the first time `id` is seen within the window (it is then remembered from `now`);
    // false for a duplicate. A capacity or window of 0 remembers nothing.
    bool first_seen(std::string_view id, time_point now);

    std::size_t size() const noexcept { return order_.size(); }

private:
    struct entry {
        std::string id;
        time_point seen;
    };
    void forget_expired(time_point now);

    std::size_t capacity_;
    std::chrono::seconds window_;
    // Oldest first; deque elements never move, so the set can view their ids.
    std::deque<entry> order_;
    std::unordered_set<std::string_view> ids_;
};

} // namespace batchwire::detail

#endif
