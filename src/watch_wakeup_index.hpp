#ifndef BATCHWIRE_SRC_WATCH_WAKEUP_INDEX_HPP
#define BATCHWIRE_SRC_WATCH_WAKEUP_INDEX_HPP

// The ids of the batches that have a poll loop, readable from any thread: wake_watches
// classifies an event on its caller's thread without touching the registry's strand-only
// state. The registry's strand writes it, in step with its map of poll loops.

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace batchwire::detail {

class watch_wakeup_index {
public:
    void insert(const std::string& id)
    {
        std::lock_guard lock(mutex_);
        ids_.insert(id);
    }
    void erase(const std::string& id)
    {
        std::lock_guard lock(mutex_);
        ids_.erase(id);
    }
    bool contains(const std::string& id) const
    {
        std::lock_guard lock(mutex_);
        return ids_.count(id) != 0;
    }

private:
    mutable std::mutex mutex_; // held for one hash operation, never across anything else
    std::unordered_set<std::string> ids_;
};

} // namespace batchwire::detail

#endif
