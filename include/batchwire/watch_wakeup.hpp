#ifndef BATCHWIRE_WATCH_WAKEUP_HPP
#define BATCHWIRE_WATCH_WAKEUP_HPP

// Watches woken by verified webhook events: a batch event makes the batch's shared poll
// loop (see watch.hpp) retrieve the batch at once, and every watcher of it gets the
// transitions that retrieve shows. The event is only a hint: a watch ends on the batch as
// retrieved, never on the event's type, so an early, duplicated or out-of-order event
// costs at most one retrieve and never a wrong transition.
//
//   batchwire::webhook_listener l(ex, listener_opts, batchwire::watch_waker(c));
//   watch_options o;
//   o.woken_by_events = true; // polls become a slow fallback (fallback_interval)
//   co_await watch_until_terminal(c, id, o);
//
// - Coalescing: events for a batch that arrive before its next poll starts share that
//   poll; events that arrive while a poll is in flight give one more poll right after it
//   (its answer may predate them). So N events while a poll is in flight cost at most one
//   extra retrieve.
// - A woken poll is an ordinary poll of the loop: its errors are handled as watch.hpp says,
//   it is not delayed by the server's openai-poll-after-ms, and the loop's next regular
//   poll is planned from it.
// - Which events count: the four batch types with a batch id. Other events (unknown types,
//   or a batch type without an id) are `ignored`; batch events for a batch that no watch of
//   this client follows are `unwatched`. Events are not remembered: an event that arrives
//   before its batch's watch starts is `unwatched` (the watch's first retrieve sees the
//   batch anyway).
// - Thread safety: wake_watches, wakeup_statistics and watch_waker may be called from any
//   thread, e.g. a webhook_listener's handler on its own strand. They never block on I/O
//   and never run a watcher's callback: they take a short lock for one hash lookup, post
//   the wake-up to the poll loop's strand and return.
// - Lifetime: watch_waker holds the client's watch registry (not the client), so it may
//   outlive the client (its events are then `unwatched` once the watches have ended).

#include <batchwire/client.hpp>
#include <batchwire/webhook_event.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace batchwire {

enum class wakeup_outcome : std::uint8_t {
    woken,     // the batch had a watch: its poll loop polls now, or once more after the poll in
               // flight (nothing, when the watch ends before the wake-up reaches it)
    unwatched, // a batch event for a batch no watch of this client follows
    ignored,   // not a batch event (unknown type / no batch id)
};

// Counts since the client was made; each event counts in `events` and in one outcome.
struct wakeup_stats {
    std::uint64_t events = 0, woken = 0, unwatched = 0, ignored = 0;
};

namespace detail {
class watch_registry; // opaque here: the watch layer's shared polls of one client
} // namespace detail

// Wakes the watches of e.batch_id on `c`. Thread-safe: may be called from any thread.
// Never blocks; never does I/O itself: it only makes the batch's shared poll loop poll now.
wakeup_outcome wake_watches(client& c, const webhook_event& e);

// Thread-safe; counters read one by one (not a snapshot of all four at one instant).
wakeup_stats wakeup_statistics(const client& c) noexcept;

// A callable to hand to webhook_listener as its event handler: wakes watches, and passes
// events for batches nobody watches (and non-batch events) to on_unwatched when set. It
// runs on_unwatched on the thread that calls it (the listener's handler strand).
class watch_waker {
public:
    explicit watch_waker(client& c, std::function<void(const webhook_event&)> on_unwatched = {});
    void operator()(webhook_event e) const; // usable as webhook_event_handler

private:
    std::shared_ptr<detail::watch_registry> watches_;
    std::function<void(const webhook_event&)> on_unwatched_;
};

} // namespace batchwire

#endif
