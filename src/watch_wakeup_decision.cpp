#include "watch_wakeup_decision.hpp"

namespace batchwire::detail {

wakeup_action decide_wakeup(const wakeup_facts& f) noexcept
{
    if (!f.batch_event)
        return wakeup_action::ignored;
    if (!f.watched)
        return wakeup_action::unwatched;
    if (f.wake_pending)
        return wakeup_action::already_pending;
    return f.poll_in_flight ? wakeup_action::poll_after_in_flight : wakeup_action::poll_now;
}

} // namespace batchwire::detail
