#include <batchwire/watch.hpp>

#include "batch_calls.hpp"
#include "client_access.hpp"
#include "complete_elsewhere.hpp"
#include "jitter.hpp"
#include "operation_launch.hpp"
#include "origin.hpp"
#include "poll_schedule.hpp"
#include "watch_launch.hpp"
#include "retry_policy.hpp"
#include "watch_registry.hpp"
#include "watch_wakeup_decision.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;

watch_deadline_error::watch_deadline_error(diagnostics diag, batch last)
    : exception(error::watch_deadline_exceeded, std::move(diag)), last_(std::move(last))
{
}

namespace detail {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Completes a watcher off the registry's strand, on its handler's executor.
void complete_watcher(const asio::any_io_executor& fallback, watch_handler h, error_code ec, batch b)
{
    complete_elsewhere(fallback, std::move(h), ec, std::move(b));
}

} // namespace

// One poll loop for one batch id, serving every watcher of it. Strand-only.
class batch_poll : public std::enable_shared_from_this<batch_poll> {
public:
    batch_poll(std::shared_ptr<watch_registry> reg, std::shared_ptr<client_state> st, std::string id,
               watch_options loop_opts)
        : reg_(std::move(reg)), st_(std::move(st)), id_(std::move(id)), opts_(std::move(loop_opts)),
          timer_(reg_->strand_)
    {
    }

    void start()
    {
        asio::co_spawn(reg_->strand_, run(shared_from_this()), asio::bind_cancellation_slot(stop_.slot(), asio::detached));
    }

    void add(watch_subscriber sub, std::optional<batch> initial, std::optional<long long> initial_date)
    {
        if (initial)
            deliver(sub, *initial, initial_date);
        else if (last_)
            deliver(sub, *last_, last_date_);
        // A deadline earlier than the loop's wake-up: wake it to sleep again, shorter.
        if (auto d = deadline_of(sub); d && *d < timer_.expiry())
            timer_.cancel();
        // A newcomer asking for an earlier poll than the sleeping loop planned brings it
        // forward (after a poll in flight, the plan counts the newcomer anyway).
        if (last_poll_at_ != no_poll_yet && !in_flight_) {
            const auto asked = time_after(last_poll_at_, joining_interval(sub.opts));
            if (asked < next_poll_) {
                next_poll_ = asked;
                timer_.cancel();
            }
        }
        subs_.push_back(std::move(sub));
        if (last_ && last_->is_terminal()) // cannot happen while running; kept for safety
            finish_all(error_code{}, {});
    }

    // A watcher leaves (cancelled): complete it and stop polling when it was the last one.
    void leave(std::uint64_t sub_id)
    {
        auto it = std::find_if(subs_.begin(), subs_.end(), [&](const auto& s) { return s.id == sub_id; });
        if (it == subs_.end())
            return;
        diagnostics d;
        d.message = "the watch was cancelled";
        complete(*it, error::cancelled, last_.value_or(batch{}), std::move(d));
        subs_.erase(it);
        if (subs_.empty()) {
            // Out of the registry now, not when the loop resumes: a watcher that subscribes
            // in between must start a new loop, not join this dying one.
            detach();
            stop_.emit(asio::cancellation_type::terminal);
        }
    }

    // A verified event for this batch: poll now, or once more after the poll in flight.
    void wake()
    {
        const auto action = decide_wakeup({.batch_event = true, .watched = !subs_.empty(),
                                           .poll_in_flight = in_flight_, .wake_pending = wake_pending_});
        if (action == wakeup_action::poll_now) {
            wake_pending_ = true;
            timer_.cancel(); // the loop sees the flag when its wait completes, and polls
        } else if (action == wakeup_action::poll_after_in_flight) {
            wake_pending_ = true;
        }
    }

    bool empty() const { return subs_.empty(); }

private:
    static asio::awaitable<void> run(std::shared_ptr<batch_poll> self) { co_await self->loop(); }

    // One poll, its snapshot delivered to every watcher; its own coroutine so that the
    // request's state (response, snapshot, diagnostics) is gone while the loop sleeps.
    // False: the loop ends (terminal status, permanent error, no watcher left). Otherwise
    // `facts` says what the schedule needs to know of the poll.
    asio::awaitable<bool> poll_once(const asio::cancellation_state& cs, poll_facts& facts)
    {
        response_metadata meta;
        request_options ro = opts_.poll_request;
        ro.metadata = &meta;
        // A poll never outlasts the earliest watcher's deadline (a stalled server would
        // otherwise hold it for attempts x attempt_timeout).
        if (auto d = earliest_deadline()) {
            const auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(*d - clock::now()),
                                       std::chrono::milliseconds(1));
            if (!ro.total_timeout || ro.total_timeout->count() == 0 || *ro.total_timeout > left)
                ro.total_timeout = left;
        }
        // This poll answers every event so far; one arriving while it is in flight asks for
        // another (the answer may predate it).
        wake_pending_ = false;
        in_flight_ = true;
        auto r = co_await batch_by_id(st_, id_, false, ro);
        in_flight_ = false;
        last_poll_at_ = clock::now();
        if (cs.cancelled() != asio::cancellation_type::none || subs_.empty())
            co_return false;
        if (r.ec) {
            // A server asking for a long wait is not a reason to stop watching: the watch
            // backs off on its own schedule.
            if (!is_retryable(r.ec, r.diag) && r.ec != error::timeout && r.ec != error::deadline_exceeded &&
                r.ec != error::retry_after_too_long) {
                finish_all(r.ec, r.diag);
                co_return false;
            }
            for (auto& s : subs_)
                if (s.opts.on_poll_error)
                    s.opts.on_poll_error(r.ec, r.diag);
            facts.outcome = poll_outcome::failed;
            facts.server_hint.reset();
        } else {
            const bool changed = !last_ || last_->status != r.value.status ||
                                 last_->request_counts != r.value.request_counts;
            last_date_ = meta.server_date;
            for (auto& s : subs_)
                deliver(s, r.value, meta.server_date);
            last_ = std::move(r.value);
            if (last_->is_terminal()) {
                finish_all(error_code{}, {});
                co_return false;
            }
            facts.outcome = changed ? poll_outcome::changed : poll_outcome::unchanged;
            facts.server_hint = meta.poll_after;
        }
        co_return true;
    }

    asio::awaitable<void> loop()
    {
        co_await asio::this_coro::throw_if_cancelled(false);
        const auto cs = co_await asio::this_coro::cancellation_state;
        std::chrono::milliseconds interval = opts_.initial_interval;
        while (!subs_.empty()) {
            poll_facts facts;
            facts.previous_interval = interval;
            if (!co_await poll_once(cs, facts))
                break;
            expire_deadlines();
            if (subs_.empty())
                break;
            facts.jitter = draw_jitter();
            facts.now = clock::now();
            facts.deadline = earliest_deadline();
            const poll_plan plan = plan_for_watchers(facts);
            interval = plan.interval;
            next_poll_ = plan.next_poll;
            // Sleep until the next poll, waking for each deadline on the way (add() wakes
            // the timer early when a watcher with an earlier deadline or poll joins; wake()
            // when an event arrives).
            while (!subs_.empty() && !wake_pending_ && clock::now() < next_poll_) {
                timer_.expires_at(wake_time(next_poll_, earliest_deadline()));
                co_await timer_.async_wait(use_tuple);
                if (cs.cancelled() != asio::cancellation_type::none)
                    break;
                expire_deadlines();
            }
            if (cs.cancelled() != asio::cancellation_type::none)
                break;
        }
        // Whoever is still here when the loop stops is told (it stops with watchers left
        // only if the client's operations are being aborted).
        if (!subs_.empty()) {
            diagnostics d;
            d.message = "the watch's poll loop stopped";
            finish_all(error::cancelled, d);
        }
        detach();
    }

    // The shortest interval any current watcher asks for (subs_ not empty).
    poll_plan plan_for_watchers(const poll_facts& facts) const
    {
        poll_plan plan = plan_next_poll(facts, subs_.front().opts);
        for (auto it = std::next(subs_.begin()); it != subs_.end(); ++it)
            plan = earlier_plan(plan, plan_next_poll(facts, it->opts));
        return plan;
    }

    // Leaves the registry (on its strand, where we are) unless a new loop replaced us.
    void detach()
    {
        auto it = reg_->polls_.find(id_);
        if (it != reg_->polls_.end() && it->second.get() == this) {
            reg_->polls_.erase(it);
            reg_->watched_.erase(id_);
        }
    }

    std::optional<clock::time_point> earliest_deadline() const
    {
        std::optional<clock::time_point> first;
        for (const auto& s : subs_)
            if (auto d = deadline_of(s); d && (!first || *d < *first))
                first = d;
        return first;
    }

    static std::optional<clock::time_point> deadline_of(const watch_subscriber& s)
    {
        if (s.fixed_deadline)
            return s.fixed_deadline;
        return s.derived_deadline;
    }

    // The deadline a batch leaves its watcher: the cancelling window from cancelling_at,
    // else its expiry; server time converted with the server's Date and time scale.
    static void derive_deadline(watch_subscriber& s, const batch& b, std::optional<long long> server_date)
    {
        if (s.fixed_deadline)
            return;
        const long long server_now =
            server_date.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
        long long end;
        if (b.status == batch_status::cancelling)
            end = b.cancelling_at.value_or(server_now) + s.opts.cancelling_window.count();
        else if (b.expires_at)
            end = *b.expires_at;
        else
            end = server_now + 24 * 3600;
        const double scale = s.opts.server_time_scale > 0 ? s.opts.server_time_scale : 1.0;
        const auto left = std::chrono::duration<double>(static_cast<double>(end - server_now) / scale);
        s.derived_deadline = clock::now() + std::chrono::duration_cast<clock::duration>(left) + s.opts.grace;
    }

    void deliver(watch_subscriber& s, const batch& b, std::optional<long long> server_date)
    {
        const bool status_changed = !s.last_status || *s.last_status != b.status;
        // Anchored when a status is first seen: re-deriving at every poll would move the
        // deadline whenever the server's clock and ours disagree.
        if (status_changed)
            derive_deadline(s, b, server_date);
        const bool counts_changed = s.last_counts != b.request_counts;
        if (s.opts.on_transition && (status_changed || (counts_changed && s.opts.report_progress))) {
            batch_transition t;
            t.from = s.last_status;
            t.to = b.status;
            t.progress_only = !status_changed;
            t.snapshot = b;
            t.seen_at = std::chrono::system_clock::now();
            s.opts.on_transition(t);
        }
        s.last_status = b.status;
        s.last_counts = b.request_counts;
    }

    void expire_deadlines()
    {
        const auto now = clock::now();
        for (auto it = subs_.begin(); it != subs_.end();) {
            auto d = deadline_of(*it);
            if (d && *d <= now) {
                diagnostics diag;
                diag.message = "the watch deadline passed while the batch was " +
                               std::string(last_ ? to_string(last_->status) : "not yet seen");
                complete(*it, error::watch_deadline_exceeded, last_.value_or(batch{}), std::move(diag));
                it = subs_.erase(it);
            } else {
                ++it;
            }
        }
    }

    void finish_all(error_code ec, const diagnostics& diag)
    {
        for (auto& s : subs_)
            complete(s, ec, last_.value_or(batch{}), diag);
        subs_.clear();
    }

    void complete(watch_subscriber& s, error_code ec, batch b, diagnostics diag = {})
    {
        // The watcher's diagnostics travel in its handler's closure (set by launch_watch).
        if (s.diag_out)
            *s.diag_out = std::move(diag);
        complete_watcher(st_->ex, std::move(s.handler), ec, std::move(b));
    }

    std::shared_ptr<watch_registry> reg_;
    std::shared_ptr<client_state> st_;
    std::string id_;
    watch_options opts_; // the first watcher's: its poll request options
    std::list<watch_subscriber> subs_;
    std::optional<batch> last_;
    std::optional<long long> last_date_;
    asio::cancellation_signal stop_;
    asio::steady_timer timer_; // the sleep between polls
    static constexpr clock::time_point no_poll_yet = clock::time_point::min();
    clock::time_point next_poll_{};                 // as planned after the last poll
    clock::time_point last_poll_at_ = no_poll_yet; // when the last poll's answer came
    bool in_flight_ = false;    // a poll's request is out
    bool wake_pending_ = false; // an event asked for a poll that has not started yet
};

// ---- registry ---------------------------------------------------------------------------

watch_registry::watch_registry(asio::any_io_executor ex) : ex_(ex), strand_(asio::make_strand(ex)) {}

void watch_registry::subscribe(std::shared_ptr<client_state> st, std::string batch_id, watch_options opts,
                               std::optional<batch> initial, std::optional<long long> initial_date, watch_handler h,
                               diagnostics* diag)
{
    watch_subscriber sub;
    sub.id = next_sub_id_.fetch_add(1);
    sub.diag_out = diag;
    if (opts.timeout)
        sub.fixed_deadline = clock::now() + *opts.timeout;
    sub.opts = std::move(opts);
    // Cancellation arrives where the watcher runs; it is handled on the strand.
    auto slot = asio::get_associated_cancellation_slot(h);
    if (slot.is_connected()) {
        slot.assign([weak = weak_from_this(), batch_id, id = sub.id](asio::cancellation_type type) {
            if (type == asio::cancellation_type::none)
                return;
            if (auto self = weak.lock())
                asio::post(self->strand_, [self, batch_id, id] { self->leave_on_strand(batch_id, id); });
        });
    }
    // Not `sub.handler = std::move(h)`: Boost 1.81's any_completion_handler move assignment
    // recurses without end.
    sub.handler.swap(h);
    asio::post(strand_, [self = shared_from_this(), st = std::move(st), batch_id = std::move(batch_id),
                         sub = std::move(sub), initial = std::move(initial), initial_date]() mutable {
        self->subscribe_on_strand(std::move(st), std::move(batch_id), std::move(sub), std::move(initial),
                                  initial_date);
    });
}

void watch_registry::subscribe_on_strand(std::shared_ptr<client_state> st, std::string batch_id, watch_subscriber sub,
                                         std::optional<batch> initial, std::optional<long long> initial_date)
{
    auto& poll = polls_[batch_id];
    const bool fresh = !poll;
    if (fresh) {
        poll = std::make_shared<batch_poll>(shared_from_this(), std::move(st), batch_id, sub.opts);
        watched_.insert(batch_id);
    }
    poll->add(std::move(sub), std::move(initial), initial_date);
    if (fresh)
        poll->start();
}

void watch_registry::leave_on_strand(const std::string& batch_id, std::uint64_t sub_id)
{
    auto it = polls_.find(batch_id);
    if (it != polls_.end())
        it->second->leave(sub_id);
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

std::size_t watch_registry::active_polls_for_test() const { return polls_.size(); }

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

// ---- launching a watch -------------------------------------------------------------------
//
// A watch is a subscription to the registry, not a coroutine of its own: an idle watcher
// costs its subscriber entry and nothing else. cancel_and_watch runs one short coroutine
// for the cancel, then hands the same handler to the registry.

namespace {

// The cancel that precedes a watch; `watch` says whether to go on watching `initial`.
struct cancel_outcome {
    op_result<batch> result;
    bool watch = false;
    std::optional<long long> server_date;
    watch_options opts; // handed back for the watch
};

asio::awaitable<cancel_outcome> cancel_step(std::shared_ptr<client_state> st, std::string id, watch_options opts)
{
    // Any cancellation type ends it; pass it on as terminal.
    co_await asio::this_coro::reset_cancellation_state(
        asio::enable_total_cancellation(), [](asio::cancellation_type t) {
            return t != asio::cancellation_type::none ? asio::cancellation_type::terminal
                                                      : asio::cancellation_type::none;
        });
    co_await asio::this_coro::throw_if_cancelled(false);
    cancel_outcome out;
    response_metadata meta;
    request_options ro = opts.poll_request;
    ro.metadata = &meta;
    out.result = co_await batch_by_id(st, id, true, ro);
    if (out.result.ec == error::bad_request || out.result.ec == error::conflict) {
        // The API refuses to cancel a batch that has ended: then its state is the answer.
        auto g = co_await batch_by_id(st, id, false, opts.poll_request);
        if (!g.ec && g.value.is_terminal())
            out.result = std::move(g);
    }
    if (!out.result.ec && out.result.value.is_terminal() && opts.on_transition) {
        batch_transition t;
        t.to = out.result.value.status;
        t.snapshot = out.result.value;
        t.seen_at = std::chrono::system_clock::now();
        opts.on_transition(t);
    }
    out.watch = !out.result.ec && !out.result.value.is_terminal();
    out.server_date = meta.server_date;
    out.opts = std::move(opts);
    co_return out;
}

void complete_now(const asio::any_io_executor& ex, diagnostics* diag, watch_handler h, error_code ec, batch b,
                  diagnostics d)
{
    if (diag)
        *diag = std::move(d);
    complete_watcher(ex, std::move(h), ec, std::move(b));
}

} // namespace

void launch_watch(const client& c, std::string id, watch_options opts, bool cancel_first, diagnostics* diag,
                  watch_handler h)
{
    launch_watch(client_access::state(c), std::move(id), std::move(opts), cancel_first, diag, std::move(h));
}

void launch_watch(std::shared_ptr<client_state> st, std::string id, watch_options opts, bool cancel_first,
                  diagnostics* diag, watch_handler h)
{
    auto ex = st->ex;
    error_code id_ec;
    encode_path_segment(id, id_ec); // the one rule for ids in a path
    if (id_ec) {
        diagnostics d;
        d.message = "invalid batch id: it must not be empty, '.' or '..'";
        complete_now(ex, diag, std::move(h), error::invalid_argument, {}, std::move(d));
        return;
    }
    if (!cancel_first) {
        auto reg = watch_registry_of(*st);
        reg->subscribe(std::move(st), std::move(id), std::move(opts), std::nullopt, std::nullopt, std::move(h), diag);
        return;
    }
    auto slot = asio::get_associated_cancellation_slot(h);
    asio::co_spawn(
        asio::make_strand(ex), cancel_step(st, id, std::move(opts)),
        asio::bind_cancellation_slot(
            slot, [st, id, diag, h = std::move(h)](std::exception_ptr ep, cancel_outcome c) mutable {
                if (ep) { // cancel_step reports failures as error codes; this is bad_alloc or a bug
                    diagnostics d;
                    d.message = "unexpected exception while cancelling";
                    complete_now(st->ex, diag, std::move(h), error::protocol_error, {}, std::move(d));
                    return;
                }
                if (!c.watch) {
                    complete_now(st->ex, diag, std::move(h), c.result.ec, std::move(c.result.value),
                                 std::move(c.result.diag));
                    return;
                }
                // The same handler, and so the same cancellation slot, now belongs to the watch.
                auto reg = watch_registry_of(*st);
                reg->subscribe(std::move(st), std::move(id), std::move(c.opts), std::move(c.result.value),
                               c.server_date, std::move(h), diag);
            }));
}

} // namespace detail

namespace {
asio::awaitable<batch> throwing_watch(client& c, std::string id, watch_options opts, bool cancel_first)
{
    diagnostics diag;
    // Not `?:` around two co_awaits: g++ 12 miscompiles it.
    std::tuple<error_code, batch> r;
    if (cancel_first)
        r = co_await async_cancel_and_watch(c, id, std::move(opts), diag, asio::as_tuple(asio::use_awaitable));
    else
        r = co_await async_watch_until_terminal(c, id, std::move(opts), diag, asio::as_tuple(asio::use_awaitable));
    auto& [ec, b] = r;
    if (ec == error::watch_deadline_exceeded)
        throw watch_deadline_error(std::move(diag), std::move(b));
    throw_on_error(ec, diag);
    co_return std::move(b);
}
} // namespace

asio::awaitable<batch> watch_until_terminal(client& c, std::string batch_id, watch_options opts)
{
    return throwing_watch(c, std::move(batch_id), std::move(opts), false);
}

asio::awaitable<batch> cancel_and_watch(client& c, std::string batch_id, watch_options opts)
{
    return throwing_watch(c, std::move(batch_id), std::move(opts), true);
}

asio::awaitable<batch> watch_until_terminal(client& c, std::string batch_id)
{
    return throwing_watch(c, std::move(batch_id), watch_options{}, false);
}

asio::awaitable<batch> cancel_and_watch(client& c, std::string batch_id)
{
    return throwing_watch(c, std::move(batch_id), watch_options{}, true);
}

} // namespace batchwire
