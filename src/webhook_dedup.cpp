#include "webhook_dedup.hpp"

namespace batchwire::detail {

webhook_dedup::webhook_dedup(std::size_t capacity, std::chrono::seconds window) : capacity_(capacity), window_(window)
{
}

void webhook_dedup::forget_expired(time_point now)
{
    while (!order_.empty() && (order_.front().seen + window_ <= now || order_.size() > capacity_)) {
        ids_.erase(order_.front().id);
        order_.pop_front();
    }
}

bool webhook_dedup::first_seen(std::string_view id, time_point now)
{
    if (capacity_ == 0 || window_.count() <= 0)
        return true;
    forget_expired(now);
    if (ids_.count(id))
        return false;
    order_.push_back({std::string(id), now});
    ids_.insert(order_.back().id);
    if (order_.size() > capacity_) {
        ids_.erase(order_.front().id);
        order_.pop_front();
    }
    return true;
}

} // namespace batchwire::detail
