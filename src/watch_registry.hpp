#ifndef BATCHWIRE_SRC_WATCH_REGISTRY_HPP
#define BATCHWIRE_SRC_WATCH_REGISTRY_HPP

// The shared polls of watch_until_terminal: at most one poll loop per batch id and client,
// serving every watcher of that batch. All of it lives on one strand per client; requests
// run on their own strands and come back to it. Webhook events (watch_wakeup.hpp) reach it
// from any thread through wake(), which reads only the wake-up index and posts to the strand.
// The watch layer makes it on a client's first use (watch_registry_of): the client only
// holds it.

#include "client_state.hpp"
#include "watch_subscriber.hpp"
#include "watch_wakeup_counters.hpp"
#include "watch_wakeup_index.hpp"

#include <batchwire/watch.hpp>

#include <boost/asio/strand.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace batchwire::detail {

class watch_poll;

class watch_registry : public std::enable_shared_from_this<watch_registry> {
public:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    explicit watch_registry(boost::asio::any_io_executor ex);

    // Adds a watcher of `batch_id` (starting a poll loop when none runs), completing `h`
    // when the batch ends, the watcher's deadline passes, a permanent error occurs, or it is
    // cancelled. `initial` is a snapshot the watcher already has (from cancel), with the
    // server's clock when it was taken.
    void subscribe(std::shared_ptr<client_state> st, std::string batch_id, watch_options opts,
                   std::optional<batch> initial, std::optional<long long> initial_date, watch_handler h,
                   diagnostics* diag);

    // From any thread: makes the batch's poll loop poll now (or once more after the poll in
    // flight) when the batch has one; what the event was (see wakeup_outcome). Counted.
    wakeup_outcome wake(const webhook_event& e);
    wakeup_stats wakeup_statistics() const noexcept { return wakeup_counters_.read(); }

    // For the poll loops, on the strand.
    strand_type& strand() noexcept { return strand_; }
    const boost::asio::any_io_executor& executor() const noexcept { return ex_; }
    void forget(const watch_poll& poll); // the loop stopped: out of the map, unless replaced

    std::size_t active_polls_for_test() const { return polls_.size(); } // on the strand's thread only

private:
    struct subscription; // what subscribe() carries to the strand
    void subscribe_on_strand(subscription s);
    void leave_on_strand(const std::string& batch_id, std::uint64_t sub_id);
    void wake_on_strand(const std::string& batch_id);

    boost::asio::any_io_executor ex_;
    strand_type strand_;
    // Keyed by a view of the loop's own id: the id is stored once. Strand only.
    std::unordered_map<std::string_view, std::shared_ptr<watch_poll>> polls_;
    watch_wakeup_index watched_; // the keys of polls_, for any thread
    watch_wakeup_counters wakeup_counters_;
    std::atomic<std::uint64_t> next_sub_id_{1};
};

// The registry of `st`'s client, made on first use by whichever thread gets there first.
std::shared_ptr<watch_registry> watch_registry_of(client_state& st);

} // namespace batchwire::detail

#endif
