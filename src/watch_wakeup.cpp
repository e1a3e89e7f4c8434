#include <batchwire/watch_wakeup.hpp>

#include "client_state.hpp"
#include "watch_registry.hpp"

namespace batchwire {

namespace detail {
wakeup_outcome wake_watches(const std::shared_ptr<client_state>& st, const webhook_event& e)
{
    return st->watches->wake(e);
}
} // namespace detail

wakeup_outcome wake_watches(client& c, const webhook_event& e) { return detail::wake_watches(c.state(), e); }

wakeup_stats wakeup_statistics(const client& c) noexcept { return c.state()->watches->wakeup_statistics(); }

watch_waker::watch_waker(client& c, std::function<void(const webhook_event&)> on_unwatched)
    : st_(c.state()), on_unwatched_(std::move(on_unwatched))
{
}

void watch_waker::operator()(webhook_event e) const
{
    if (detail::wake_watches(st_, e) != wakeup_outcome::woken && on_unwatched_)
        on_unwatched_(e);
}

} // namespace batchwire
