#ifndef BATCHWIRE_SRC_WATCH_WAKEUP_COUNTERS_HPP
#define BATCHWIRE_SRC_WATCH_WAKEUP_COUNTERS_HPP

// wakeup_stats as a client keeps them: counted from any thread.

#include <batchwire/watch_wakeup.hpp>

#include <atomic>
#include <cstdint>

namespace batchwire::detail {

struct watch_wakeup_counters {
    std::atomic<std::uint64_t> events{0}, woken{0}, unwatched{0}, ignored{0};

    void count(wakeup_outcome o) noexcept
    {
        events.fetch_add(1, std::memory_order_relaxed);
        auto& c = o == wakeup_outcome::woken ? woken : o == wakeup_outcome::unwatched ? unwatched : ignored;
        c.fetch_add(1, std::memory_order_relaxed);
    }
    wakeup_stats read() const noexcept
    {
        wakeup_stats s;
        s.events = events.load(std::memory_order_relaxed);
        s.woken = woken.load(std::memory_order_relaxed);
        s.unwatched = unwatched.load(std::memory_order_relaxed);
        s.ignored = ignored.load(std::memory_order_relaxed);
        return s;
    }
};

} // namespace batchwire::detail

#endif
