#include <batchwire/watch_wakeup.hpp>

#include "client_access.hpp"
#include "watch_registry.hpp"

namespace batchwire {

wakeup_outcome wake_watches(client& c, const webhook_event& e)
{
    return detail::watch_registry_of(*detail::client_access::state(c))->wake(e);
}

wakeup_stats wakeup_statistics(const client& c) noexcept
{
    // A client whose watch layer was never used has counted nothing.
    const auto reg = detail::client_access::state(c)->watches.load();
    return reg ? reg->wakeup_statistics() : wakeup_stats{};
}

watch_waker::watch_waker(client& c, std::function<void(const webhook_event&)> on_unwatched)
    : watches_(detail::watch_registry_of(*detail::client_access::state(c))), on_unwatched_(std::move(on_unwatched))
{
}

void watch_waker::operator()(webhook_event e) const
{
    if (watches_->wake(e) != wakeup_outcome::woken && on_unwatched_)
        on_unwatched_(e);
}

} // namespace batchwire
