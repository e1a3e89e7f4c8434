#ifndef BATCHWIRE_SRC_WATCH_WAKEUP_INDEX_HPP
#define BATCHWIRE_SRC_WATCH_WAKEUP_INDEX_HPP

// The batches that have a poll loop, readable from any thread: wake_watches classifies an
// event on its caller's thread without touching the registry's strand-only state. The
// registry's strand writes it, in step with its map of poll loops.
//
// It holds the ids' hashes, not the ids: 40 bytes a batch instead of about 130, on the
// cost of an idle watcher. Two watched ids with one hash are both kept (a multiset); an
// unwatched id that shares a watched one's hash (odds of about 2^-64 per pair) would be
// classified `woken` and then find no loop on the strand, so nothing would poll.

#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace batchwire::detail {

class watch_wakeup_index {
public:
    void insert(std::string_view id)
    {
        const auto h = hash(id);
        std::lock_guard lock(mutex_);
        hashes_.insert(h);
    }
    void erase(std::string_view id)
    {
        const auto h = hash(id);
        std::lock_guard lock(mutex_);
        if (auto it = hashes_.find(h); it != hashes_.end())
            hashes_.erase(it); // one of them: another watched id may share the hash
    }
    bool contains(std::string_view id) const
    {
        const auto h = hash(id);
        std::lock_guard lock(mutex_);
        return hashes_.count(h) != 0;
    }

private:
    static std::size_t hash(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }

    mutable std::mutex mutex_; // held for one hash-table operation, never across anything else
    std::unordered_multiset<std::size_t> hashes_;
};

} // namespace batchwire::detail

#endif
