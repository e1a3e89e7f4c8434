#include "watch_poll.hpp"

#include "complete_elsewhere.hpp"
#include "jitter.hpp"
#include "watch_registry.hpp"
#include "watch_wakeup_decision.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <exception>

namespace batchwire::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

bool is_default(const request_options& ro)
{
    return !ro.max_retries && !ro.attempt_timeout && !ro.total_timeout && ro.idempotency_key.empty();
}

} // namespace

watch_poll::watch_poll(watch_registry& reg, std::shared_ptr<client_state> st, std::string id,
                       const request_options& ro)
    : reg_(reg), st_(std::move(st)), id_(std::move(id)),
      ro_(is_default(ro) ? nullptr : std::make_unique<const request_options>(ro)), timer_(reg.executor())
{
}

void watch_poll::add(watch_subscriber sub, std::optional<batch> initial, std::optional<long long> initial_date)
{
    if (initial)
        deliver(sub, *initial, initial_date);
    else if (!last_.empty())
        deliver(sub, last_.load(), last_date_);
    if (subs_.empty() && last_poll_at_ == no_poll_yet)
        interval_ = sub.schedule.initial_interval; // the loop's first watcher starts the backoff
    // A deadline earlier than the loop's wake-up: wake it to sleep again, shorter.
    if (auto d = sub.deadline_if_any(); d && *d < timer_.expiry())
        timer_.cancel();
    // A newcomer asking for an earlier poll than the sleeping loop planned brings it
    // forward (after a poll in flight, the plan counts the newcomer anyway).
    if (last_poll_at_ != no_poll_yet && !in_flight_) {
        const auto asked = time_after(last_poll_at_, joining_interval(sub.schedule));
        if (asked < next_poll_) {
            next_poll_ = asked;
            timer_.cancel();
        }
    }
    subs_.push_back(std::move(sub));
}

void watch_poll::start() { poll_now(); }

void watch_poll::leave(std::uint64_t sub_id)
{
    auto it = std::find_if(subs_.begin(), subs_.end(), [&](const auto& s) { return s.id == sub_id; });
    if (it == subs_.end())
        return;
    diagnostics d;
    d.message = "the watch was cancelled";
    complete(*it, error::cancelled, last_.load(), std::move(d));
    subs_.erase(it);
    if (subs_.empty())
        stop();
}

void watch_poll::wake()
{
    const auto action = decide_wakeup(
        {.batch_event = true, .watched = !subs_.empty(), .poll_in_flight = in_flight_, .wake_pending = wake_pending_});
    if (action == wakeup_action::poll_now) {
        wake_pending_ = true;
        timer_.cancel(); // the timer's handler sees the flag and polls
    } else if (action == wakeup_action::poll_after_in_flight) {
        wake_pending_ = true;
    }
}

request_options watch_poll::poll_request_options() const
{
    request_options ro = ro_ ? *ro_ : request_options{};
    // A poll never outlasts the earliest watcher's deadline (a stalled server would
    // otherwise hold it for attempts x attempt_timeout).
    if (auto d = earliest_deadline()) {
        const auto left =
            std::max(std::chrono::duration_cast<std::chrono::milliseconds>(*d - clock::now()), std::chrono::milliseconds(1));
        if (!ro.total_timeout || ro.total_timeout->count() == 0 || *ro.total_timeout > left)
            ro.total_timeout = left;
    }
    return ro;
}

void watch_poll::poll_now()
{
    // This poll answers every event so far; one arriving while it is in flight asks for
    // another (the answer may predate it).
    wake_pending_ = false;
    in_flight_ = true;
    asio::co_spawn(reg_.strand(), retrieve_for_watch(st_, id_, poll_request_options()),
                   asio::bind_cancellation_slot(stop_.slot(), [self = shared_from_this()](std::exception_ptr ep,
                                                                                          poll_answer a) mutable {
                       if (ep) { // bad_alloc or a bug: the loop cannot go on
                           a.result.ec = error::protocol_error;
                           a.result.diag.message = "unexpected exception while polling";
                       }
                       // Posted: on_answer runs once the poll's coroutine has finished, so that
                       // it may drop the coroutine's cancellation handler. The answer travels
                       // by pointer: Asio recycles a posted handler's memory, and the timer wait
                       // that follows would otherwise keep a block the answer's size.
                       auto& strand = self->reg_.strand();
                       asio::post(strand, [self = std::move(self), a = std::make_unique<poll_answer>(std::move(a))] {
                           self->on_answer(std::move(*a));
                       });
                   }));
}

void watch_poll::on_answer(poll_answer a)
{
    stop_.slot().clear(); // the finished poll's cancellation handler is not kept while idle
    in_flight_ = false;
    last_poll_at_ = clock::now();
    if (stopped_)
        return;
    if (subs_.empty()) {
        stop();
        return;
    }
    const bool failed = a.result.ec.failed();
    bool go_on;
    poll_outcome outcome = poll_outcome::failed;
    if (failed) {
        go_on = take_failure(a);
    } else {
        const bool changed = !last_status_ || *last_status_ != a.result.value.status ||
                             last_counts_ != a.result.value.request_counts;
        outcome = changed ? poll_outcome::changed : poll_outcome::unchanged;
        go_on = take_snapshot(a);
    }
    if (!go_on) {
        stop();
        return;
    }
    expire_deadlines();
    if (subs_.empty()) {
        stop();
        return;
    }
    plan_after(outcome, failed ? std::nullopt : a.poll_after);
    wait_or_poll();
}

// A failed poll: reported to the watchers when it will be retried; false when it ends them.
bool watch_poll::take_failure(const poll_answer& a)
{
    const auto& r = a.result;
    // A server asking for a long wait is not a reason to stop watching: the watch backs off
    // on its own schedule.
    if (!is_retryable(r.ec, r.diag) && r.ec != error::timeout && r.ec != error::deadline_exceeded &&
        r.ec != error::retry_after_too_long) {
        finish_all(r.ec, r.diag, last_.load());
        return false;
    }
    for (auto& s : subs_)
        if (s.on_poll_error)
            s.on_poll_error(r.ec, r.diag);
    return true;
}

// A snapshot: delivered to every watcher and kept; false when the batch has ended.
bool watch_poll::take_snapshot(poll_answer& a)
{
    const batch& b = a.result.value;
    last_date_ = a.server_date;
    for (auto& s : subs_)
        deliver(s, b, a.server_date);
    last_.store(b);
    last_status_ = b.status;
    last_counts_ = b.request_counts;
    if (b.is_terminal()) {
        finish_all(error_code{}, {}, b);
        return false;
    }
    return true;
}

// The shortest interval any current watcher asks for (subs_ not empty).
void watch_poll::plan_after(poll_outcome outcome, std::optional<std::chrono::milliseconds> hint)
{
    poll_facts facts;
    facts.previous_interval = interval_;
    facts.outcome = outcome;
    facts.server_hint = hint;
    facts.jitter = draw_jitter();
    facts.now = clock::now();
    facts.deadline = earliest_deadline();
    poll_plan plan = plan_next_poll(facts, subs_.front().schedule);
    for (auto it = std::next(subs_.begin()); it != subs_.end(); ++it)
        plan = earlier_plan(plan, plan_next_poll(facts, it->schedule));
    interval_ = plan.interval;
    next_poll_ = plan.next_poll;
}

// Sleeps until the next poll, waking for each deadline on the way (add() cuts the wait when
// a watcher with an earlier deadline or poll joins; wake() when an event arrives).
void watch_poll::wait_or_poll()
{
    if (wake_pending_ || clock::now() >= next_poll_) {
        poll_now();
        return;
    }
    timer_.expires_at(wake_time(next_poll_, earliest_deadline()));
    // The timer runs on the client's executor and its handler only posts to the strand: a
    // timer and a wait on the strand itself would each hold a type-erased strand on the heap.
    timer_.async_wait([self = shared_from_this()](const error_code&) {
        auto& strand = self->reg_.strand();
        asio::post(strand, [self = std::move(self)] { self->on_timer(); });
    });
}

void watch_poll::on_timer()
{
    if (stopped_)
        return;
    expire_deadlines();
    if (subs_.empty()) {
        stop();
        return;
    }
    wait_or_poll();
}

// Out of the registry now, not when queued handlers run: a watcher that subscribes in
// between must start a new loop, not join this dying one.
void watch_poll::stop()
{
    if (stopped_)
        return;
    stopped_ = true;
    reg_.forget(*this);
    timer_.cancel();
    if (in_flight_)
        stop_.emit(asio::cancellation_type::terminal);
}

std::optional<watch_poll::clock::time_point> watch_poll::earliest_deadline() const
{
    std::optional<clock::time_point> first;
    for (const auto& s : subs_)
        if (auto d = s.deadline_if_any(); d && (!first || *d < *first))
            first = d;
    return first;
}

void watch_poll::deliver(watch_subscriber& s, const batch& b, std::optional<long long> server_date)
{
    const bool status_changed = !s.last_status || *s.last_status != b.status;
    // Anchored when a status is first seen: re-deriving at every poll would move the
    // deadline whenever the server's clock and ours disagree.
    if (status_changed && !s.fixed_deadline) {
        const auto server_now = server_date.value_or(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        s.deadline = derive_deadline(b, server_now, s.rule, clock::now());
    }
    const bool counts_changed = s.last_counts != b.request_counts;
    if (s.on_transition && (status_changed || (counts_changed && s.report_progress))) {
        batch_transition t;
        t.from = s.last_status;
        t.to = b.status;
        t.progress_only = !status_changed;
        t.snapshot = b;
        t.seen_at = std::chrono::system_clock::now();
        s.on_transition(t);
    }
    s.last_status = b.status;
    s.last_counts = b.request_counts;
}

void watch_poll::expire_deadlines()
{
    const auto now = clock::now();
    for (auto it = subs_.begin(); it != subs_.end();) {
        if (auto d = it->deadline_if_any(); d && *d <= now) {
            diagnostics diag;
            diag.message = "the watch deadline passed while the batch was " +
                           std::string(last_status_ ? to_string(*last_status_) : "not yet seen");
            complete(*it, error::watch_deadline_exceeded, last_.load(), std::move(diag));
            it = subs_.erase(it);
        } else {
            ++it;
        }
    }
}

void watch_poll::finish_all(error_code ec, const diagnostics& diag, const batch& last)
{
    for (auto& s : subs_)
        complete(s, ec, last, diag);
    subs_.clear();
}

void watch_poll::complete(watch_subscriber& s, error_code ec, batch b, diagnostics diag)
{
    // The watcher's diagnostics travel in its handler's closure (set by launch_watch).
    if (s.diag_out)
        *s.diag_out = std::move(diag);
    // Off the strand, on the handler's executor.
    complete_elsewhere(st_->ex, std::move(s.handler), ec, std::move(b));
}

} // namespace batchwire::detail
