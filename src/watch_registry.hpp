#ifndef BATCHWIRE_SRC_WATCH_REGISTRY_HPP
#define BATCHWIRE_SRC_WATCH_REGISTRY_HPP

// The shared polls of watch_until_terminal: at most one poll loop per batch id and client,
// serving every watcher of that batch. All of it lives on one strand per client; requests
// run on their own strands and come back to it. Webhook events (watch_wakeup.hpp) reach it
// from any thread through wake(), which reads only the wake-up index and posts to the strand.

#include "client_state.hpp"
#include "watch_wakeup_counters.hpp"
#include "watch_wakeup_index.hpp"

#include <batchwire/watch.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/strand.hpp>

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace batchwire::detail {

using clock = std::chrono::steady_clock;

struct watch_subscriber {
    std::uint64_t id = 0;
    watch_options opts;
    watch_handler handler;
    diagnostics* diag_out = nullptr; // the watcher's diagnostics, written before completion
    std::optional<batch_status> last_status;
    std::optional<batch_request_counts> last_counts;
    std::optional<clock::time_point> fixed_deadline; // from opts.timeout
    std::optional<clock::time_point> derived_deadline;
};

class batch_poll;

class watch_registry : public std::enable_shared_from_this<watch_registry> {
public:
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

    std::size_t active_polls_for_test() const; // only meaningful on the strand's thread

private:
    friend class batch_poll;
    void subscribe_on_strand(std::shared_ptr<client_state> st, std::string batch_id, watch_subscriber sub,
                             std::optional<batch> initial, std::optional<long long> initial_date);
    void leave_on_strand(const std::string& batch_id, std::uint64_t sub_id);
    void wake_on_strand(const std::string& batch_id);

    boost::asio::any_io_executor ex_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    std::unordered_map<std::string, std::shared_ptr<batch_poll>> polls_; // strand only
    watch_wakeup_index watched_; // the keys of polls_, for any thread
    watch_wakeup_counters wakeup_counters_;
    std::atomic<std::uint64_t> next_sub_id_{1};
};

// The registry of `st`'s client, made on first use by whichever thread gets there first:
// the watch layer owns it, the client only holds it.
std::shared_ptr<watch_registry> watch_registry_of(client_state& st);

} // namespace batchwire::detail

#endif
