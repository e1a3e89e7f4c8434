#ifndef BATCHWIRE_SRC_WATCH_SNAPSHOT_HPP
#define BATCHWIRE_SRC_WATCH_SNAPSHOT_HPP

// The last batch a poll loop saw, kept packed while the loop idles: the fields that are
// present, one after another in one string (about 150 bytes for a typical batch instead of
// a `batch` struct of about 600 bytes plus its strings). Unpacked only when a watcher needs
// the whole batch (a transition to a joining watcher, a completion).

#include <batchwire/batch.hpp>

#include <string>

namespace batchwire::detail {

class watch_snapshot {
public:
    bool empty() const noexcept { return bytes_.empty(); }
    void store(const batch& b);
    batch load() const; // an empty batch when nothing was stored
    std::size_t packed_size() const noexcept { return bytes_.size(); }

private:
    std::string bytes_;
};

} // namespace batchwire::detail

#endif
