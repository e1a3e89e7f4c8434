#ifndef BATCHWIRE_EMULATOR_WEBHOOK_FAULT_SCHEDULE_HPP
#define BATCHWIRE_EMULATOR_WEBHOOK_FAULT_SCHEDULE_HPP

// The active webhook fault rules and their counters: decides, event by event, which fault
// (if any) applies. Deterministic for a given order of events. Thread-safe.

#include <batchwire/emulator/webhook_fault.hpp>

#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

namespace batchwire::emulator {

class webhook_fault_schedule {
public:
    void add(webhook_fault_rule rule);
    void clear();
    // The fault for the next event, counting it against every rule it reaches.
    std::optional<webhook_fault_rule> pick();
    std::size_t applied() const;

private:
    struct entry {
        webhook_fault_rule rule;
        std::size_t seen = 0;
    };
    mutable std::mutex mutex_;
    std::vector<entry> entries_;
    std::size_t applied_ = 0;
};

} // namespace batchwire::emulator

#endif
