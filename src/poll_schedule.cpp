#include "poll_schedule.hpp"

#include "jitter.hpp"

#include <algorithm>
#include <cmath>

namespace batchwire::detail {

namespace {

using std::chrono::milliseconds;
using time_point = std::chrono::steady_clock::time_point;

constexpr milliseconds one_ms{1};

// Options as the schedule uses them: every bound at least 1 ms, lower bounds not above upper.
milliseconds at_least_1ms(milliseconds d) noexcept { return std::max(d, one_ms); }

// now + d without overflowing the clock's representation for a huge d.
time_point saturating_add(time_point now, milliseconds d) noexcept
{
    const auto room = std::chrono::duration_cast<milliseconds>(time_point::max() - now);
    if (d >= room)
        return time_point::max();
    return now + d;
}

} // namespace

poll_settings::poll_settings(const watch_options& o) noexcept
    : initial_interval(o.initial_interval), max_interval(o.max_interval), backoff_factor(o.backoff_factor),
      max_server_hint(o.max_server_hint), min_server_hint(o.min_server_hint), fallback_interval(o.fallback_interval),
      woken_by_events(o.woken_by_events)
{
}

milliseconds clamp_server_hint(milliseconds hint, const poll_settings& o) noexcept
{
    const auto cap = at_least_1ms(o.max_server_hint);
    const auto floor = std::min(at_least_1ms(o.min_server_hint), cap);
    return std::clamp(hint, floor, cap);
}

milliseconds backoff_interval(milliseconds previous, poll_outcome outcome, double jitter,
                              const poll_settings& o) noexcept
{
    const auto low = at_least_1ms(o.initial_interval);
    const auto high = std::max(at_least_1ms(o.max_interval), low);
    if (outcome == poll_outcome::changed)
        return low;
    // In doubles, clamped before converting: a NaN, negative or huge factor cannot overflow.
    double factor = o.backoff_factor;
    if (!(factor >= 1.0)) // NaN too: never shrink
        factor = 1.0;
    const double next = static_cast<double>(previous.count()) * factor * clamp_jitter(jitter);
    // The bounds as they are: a huge one does not survive a round trip through double.
    if (!(next > static_cast<double>(low.count())))
        return low;
    if (next >= static_cast<double>(high.count()))
        return high;
    return milliseconds{static_cast<milliseconds::rep>(next)};
}

time_point wake_time(time_point next_poll, std::optional<time_point> deadline) noexcept
{
    return deadline ? std::min(next_poll, *deadline) : next_poll;
}

namespace {

milliseconds event_woken_interval(const poll_facts& f, const poll_settings& o) noexcept
{
    const auto fallback = at_least_1ms(o.fallback_interval);
    if (f.outcome == poll_outcome::failed)
        return std::min(backoff_interval(f.previous_interval, f.outcome, f.jitter, o), fallback);
    if (f.server_hint && f.server_hint->count() >= 0)
        return std::max(fallback, clamp_server_hint(*f.server_hint, o));
    return fallback;
}

milliseconds polling_interval(const poll_facts& f, const poll_settings& o) noexcept
{
    if (f.outcome != poll_outcome::failed && f.server_hint && f.server_hint->count() >= 0)
        return clamp_server_hint(*f.server_hint, o);
    return backoff_interval(f.previous_interval, f.outcome, f.jitter, o);
}

} // namespace

poll_plan plan_next_poll(const poll_facts& f, const poll_settings& o) noexcept
{
    poll_plan p;
    p.interval = o.woken_by_events ? event_woken_interval(f, o) : polling_interval(f, o);
    p.next_poll = saturating_add(f.now, p.interval);
    p.wake_at = wake_time(p.next_poll, f.deadline);
    return p;
}

poll_plan earlier_plan(const poll_plan& a, const poll_plan& b) noexcept
{
    return b.next_poll < a.next_poll ? b : a;
}

milliseconds joining_interval(const poll_settings& o) noexcept
{
    return at_least_1ms(o.woken_by_events ? o.fallback_interval : o.initial_interval);
}

time_point time_after(time_point from, milliseconds d) noexcept { return saturating_add(from, d); }

} // namespace batchwire::detail
