#include <batchwire/emulator/webhook_fault_schedule.hpp>

namespace batchwire::emulator {

void webhook_fault_schedule::add(webhook_fault_rule rule)
{
    std::lock_guard lock(mutex_);
    entries_.push_back(entry{rule, 0});
}

void webhook_fault_schedule::clear()
{
    std::lock_guard lock(mutex_);
    entries_.clear();
}

std::size_t webhook_fault_schedule::applied() const
{
    std::lock_guard lock(mutex_);
    return applied_;
}

std::optional<webhook_fault_rule> webhook_fault_schedule::pick()
{
    std::lock_guard lock(mutex_);
    for (entry& e : entries_) {
        const std::size_t index = e.seen++;
        if (index < e.rule.skip)
            continue;
        if (e.rule.count != 0 && index - e.rule.skip >= e.rule.count)
            continue;
        ++applied_;
        return e.rule; // rules after this one never see the event it took
    }
    return std::nullopt;
}

} // namespace batchwire::emulator
