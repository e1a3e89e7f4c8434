#include "watch_registry.hpp"

#include "watch_poll.hpp"
#include "watch_wakeup_decision.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

namespace batchwire::detail {

namespace asio = boost::asio;

struct watch_registry::subscription {
    std::shared_ptr<client_state> st;
    std::string batch_id;
    request_options poll_request; // used when this watcher starts the loop
    watch_subscriber sub;
    std::optional<batch> initial;
    std::optional<long long> initial_date;
};

watch_registry::watch_registry(asio::any_io_executor ex) : ex_(ex), strand_(asio::make_strand(ex)) {}

void watch_registry::subscribe(std::shared_ptr<client_state> st, std::string batch_id, watch_options opts,
                               std::optional<batch> initial, std::optional<long long> initial_date, watch_handler h,
                               diagnostics* diag)
{
    subscription s{std::move(st), std::move(batch_id), std::move(opts.poll_request),
                   make_subscriber(next_sub_id_.fetch_add(1), opts, diag), std::move(initial), initial_date};
    // Cancellation arrives where the watcher runs; it is handled on the strand.
    auto slot = asio::get_associated_cancellation_slot(h);
    if (slot.is_connected()) {
        slot.assign([weak = weak_from_this(), batch_id = s.batch_id, id = s.sub.id](asio::cancellation_type type) {
            if (type == asio::cancellation_type::none)
                return;
            if (auto self = weak.lock())
                asio::post(self->strand_, [self, batch_id, id] { self->leave_on_strand(batch_id, id); });
        });
    }
    // Not `handler = std::move(h)`: Boost 1.81's any_completion_handler move assignment
    // recurses without end (which is also why subscribers live in lists, never erased by
    // moving).
    s.sub.handler.swap(h);
    asio::post(strand_, [self = shared_from_this(), s = std::move(s)]() mutable {
        self->subscribe_on_strand(std::move(s));
    });
}

void watch_registry::subscribe_on_strand(subscription s)
{
    auto it = polls_.find(s.batch_id);
    if (it != polls_.end()) {
        it->second->add(std::move(s.sub), std::move(s.initial), s.initial_date);
        return;
    }
    auto poll = std::make_shared<watch_poll>(*this, std::move(s.st), std::move(s.batch_id), s.poll_request);
    polls_.emplace(poll->batch_id(), poll);
    watched_.insert(poll->batch_id());
    poll->add(std::move(s.sub), std::move(s.initial), s.initial_date);
    poll->start();
}

void watch_registry::forget(const watch_poll& poll)
{
    auto it = polls_.find(poll.batch_id());
    if (it != polls_.end() && it->second.get() == &poll) {
        watched_.erase(poll.batch_id());
        polls_.erase(it); // last: the key views the loop's id
    }
}

void watch_registry::leave_on_strand(const std::string& batch_id, std::uint64_t sub_id)
{
    auto it = polls_.find(batch_id);
    if (it == polls_.end())
        return;
    const auto poll = it->second; // the last watcher leaving takes the loop out of polls_
    poll->leave(sub_id);
}

void watch_registry::wake_on_strand(const std::string& batch_id)
{
    // The loop may have ended since the event was classified: then there is nothing to wake.
    auto it = polls_.find(batch_id);
    if (it != polls_.end())
        it->second->wake();
}

wakeup_outcome watch_registry::wake(const webhook_event& e)
{
    wakeup_facts facts;
    facts.batch_event = e.is_batch_event() && !e.batch_id.empty();
    facts.watched = facts.batch_event && watched_.contains(e.batch_id);
    // The loop's own facts (a poll in flight, a wake pending) are the strand's: it decides
    // again there.
    const auto action = decide_wakeup(facts);
    wakeup_outcome outcome = wakeup_outcome::woken;
    if (action == wakeup_action::ignored)
        outcome = wakeup_outcome::ignored;
    else if (action == wakeup_action::unwatched)
        outcome = wakeup_outcome::unwatched;
    else
        asio::post(strand_, [self = shared_from_this(), id = e.batch_id] { self->wake_on_strand(id); });
    wakeup_counters_.count(outcome);
    return outcome;
}

std::shared_ptr<watch_registry> watch_registry_of(client_state& st)
{
    auto reg = st.watches.load();
    if (reg)
        return reg;
    auto made = std::make_shared<watch_registry>(st.ex);
    // Two first uses racing: one registry wins, the other is dropped unused.
    if (st.watches.compare_exchange_strong(reg, made))
        return made;
    return reg;
}

} // namespace batchwire::detail
