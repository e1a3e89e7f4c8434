#ifndef BATCHWIRE_EMULATOR_WEBHOOK_SENDER_HPP
#define BATCHWIRE_EMULATOR_WEBHOOK_SENDER_HPP

// The emulator's webhook sender: each batch that ends becomes a signed event POSTed to one
// URL (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature "v1,<base64>").
//
// - Deliveries go out one at a time, in the order they fall due (then in the order they
//   were made), each a fresh plain-http connection bounded by attempt_timeout (wall time).
//   A non-2xx answer, a connection failure or a timeout is tried again after
//   webhook_retry_delay (emulated time); after the last attempt the delivery is abandoned.
//   Every attempt is signed anew with the wall clock's time as webhook-timestamp: receivers
//   check it against their own clock (within 5 minutes), which a scaled emulated clock
//   would leave at once. The event's created_at is emulated time, like every batch field.
// - Faults (webhook_fault.hpp) decide, per event, whether it is dropped, doubled, delayed,
//   held back behind the next event, or signed with another key.
// - It runs on a strand of the server's executor and never blocks: batch_ended() only
//   queues. With a manual clock, waits for emulated time end when poke() is called after
//   the clock moved.
// - stop() cancels the wait and the attempt in flight; what is queued is discarded.

#include <batchwire/batch.hpp>
#include <batchwire/emulator/emulated_clock.hpp>
#include <batchwire/emulator/webhook_fault_schedule.hpp>
#include <batchwire/emulator/webhook_retry.hpp>
#include <batchwire/emulator/webhook_target.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace batchwire::emulator {

// Counters of one sender, for tests and logs.
struct webhook_delivery_stats {
    std::size_t events = 0;          // batch events made (one per batch that ended)
    std::size_t attempts = 0;        // POSTs started
    std::size_t delivered = 0;       // deliveries answered with a 2xx
    std::size_t failed_attempts = 0; // non-2xx answers, connection failures, timeouts
    std::size_t abandoned = 0;       // deliveries given up after their last attempt
    std::size_t dropped = 0;         // events the drop fault swallowed
    std::size_t pending = 0;         // deliveries queued, held back or in flight
};

struct webhook_sender_params {
    std::string url;    // see webhook_target.hpp
    std::string secret; // "whsec_" + base64, or raw text
    webhook_retry_params retry;
    std::chrono::milliseconds attempt_timeout{10000}; // wall time: connect, send, read the answer
};

class webhook_sender : public std::enable_shared_from_this<webhook_sender> {
public:
    // Throws std::invalid_argument for a bad URL or secret.
    webhook_sender(boost::asio::any_io_executor ex, const emulated_clock& clock, webhook_sender_params params);

    void start();
    void stop(); // thread-safe, idempotent
    void poke(); // the emulated clock moved: look again at what is due (thread-safe)

    // A batch reached a terminal status at emulated `ended_ms`. Thread-safe, never blocks;
    // called under the emulator's state lock, so it must not call back into the state.
    void batch_ended(const batchwire::batch& b, std::int64_t ended_ms);

    void add_fault(webhook_fault_rule rule) { faults_.add(rule); }
    void clear_faults() { faults_.clear(); }
    webhook_delivery_stats stats() const;

private:
    struct delivery {
        std::string webhook_id;
        std::string body;
        bool bad_signature = false;
        unsigned failed = 0; // attempts that failed so far
    };
    using queue_key = std::pair<std::int64_t, std::uint64_t>; // (due emulated ms, order made)

    boost::asio::awaitable<void> run();
    boost::asio::awaitable<bool> post_once(const delivery& d);
    std::optional<delivery> take_due();
    void arm_timer();
    void settle_attempt(delivery d, bool ok);
    void enqueue_locked(std::int64_t due_ms, delivery d);

    const emulated_clock& clock_;
    const webhook_sender_params params_;
    const webhook_target target_;
    webhook_fault_schedule faults_;

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    boost::asio::steady_timer timer_;      // on strand_
    std::function<void()> cancel_attempt_; // on strand_: closes the attempt in flight
    std::atomic<bool> started_{false};
    std::atomic<bool> stopped_{false};

    mutable std::mutex mutex_;
    std::map<queue_key, delivery> queue_;
    std::optional<delivery> held_; // out_of_order: waits for the next event
    std::uint64_t next_order_ = 0;
    bool in_flight_ = false;
    webhook_delivery_stats stats_;
};

} // namespace batchwire::emulator

#endif
