#ifndef BATCHWIRE_SRC_WATCH_POLL_HPP
#define BATCHWIRE_SRC_WATCH_POLL_HPP

// One batch's shared poll loop, serving every watcher of it, on its registry's strand.
// Not a coroutine: while it idles, it is this object, its packed last snapshot and one
// timer wait with a small handler; a poll is a short coroutine spawned for that poll
// (watch_poll_request.hpp). Each poll's answer plans the next (poll_schedule.hpp).

#include "client_state.hpp"
#include "watch_poll_request.hpp"
#include "watch_snapshot.hpp"
#include "watch_subscriber.hpp"

#include <batchwire/request_options.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <list>

namespace batchwire::detail {

class watch_registry;

class watch_poll : public std::enable_shared_from_this<watch_poll> {
public:
    using clock = std::chrono::steady_clock;

    // `ro`: the poll request options of the watcher that starts the loop.
    watch_poll(watch_registry& reg, std::shared_ptr<client_state> st, std::string id, const request_options& ro);

    const std::string& batch_id() const noexcept { return id_; }

    // A watcher joins; `initial` is a snapshot it already has (from cancel), with the
    // server's clock when it was taken.
    void add(watch_subscriber sub, std::optional<batch> initial, std::optional<long long> initial_date);
    void start(); // the first poll, after the first add
    void leave(std::uint64_t sub_id); // a watcher is cancelled: complete it; the last one stops the loop
    void wake(); // a verified event: poll now, or once more after the poll in flight

private:
    void poll_now();
    void on_answer(poll_answer a);
    bool take_failure(const poll_answer& a);
    bool take_snapshot(poll_answer& a);
    void plan_after(poll_outcome outcome, std::optional<std::chrono::milliseconds> hint);
    void wait_or_poll();
    void on_timer();
    void stop();
    request_options poll_request_options() const;

    std::optional<clock::time_point> earliest_deadline() const;
    void deliver(watch_subscriber& s, const batch& b, std::optional<long long> server_date);
    void expire_deadlines();
    void finish_all(boost::system::error_code ec, const diagnostics& diag, const batch& last);
    void complete(watch_subscriber& s, boost::system::error_code ec, batch b, diagnostics diag);

    watch_registry& reg_; // outlives its loops: the client's state holds it, and each loop that state
    std::shared_ptr<client_state> st_;
    std::string id_;
    std::unique_ptr<const request_options> ro_; // null: the defaults (most watchers)
    std::list<watch_subscriber> subs_; // a list: erasing never move-assigns a handler (see watch_registry.cpp)
    watch_snapshot last_;
    std::optional<batch_status> last_status_;
    std::optional<batch_request_counts> last_counts_;
    std::optional<long long> last_date_;
    boost::asio::cancellation_signal stop_; // cancels the poll in flight
    boost::asio::steady_timer timer_;        // the sleep between polls; strand-only, though its handler is not
    static constexpr clock::time_point no_poll_yet = clock::time_point::min();
    std::chrono::milliseconds interval_{1000};     // the interval that led to the next poll
    clock::time_point next_poll_{};                // as planned after the last poll
    clock::time_point last_poll_at_ = no_poll_yet; // when the last poll's answer came
    bool in_flight_ = false;    // a poll's request is out
    bool wake_pending_ = false; // an event asked for a poll that has not started yet
    bool stopped_ = false;      // out of the registry: handlers still queued do nothing
};

} // namespace batchwire::detail

#endif
