#ifndef BATCHWIRE_EMULATOR_FAULT_SCHEDULE_HPP
#define BATCHWIRE_EMULATOR_FAULT_SCHEDULE_HPP

// The active fault rules and their counters: decides, request by request, which fault (if
// any) applies. Deterministic for a given seed and request order. Thread-safe.

#include <batchwire/emulator/fault_rule.hpp>

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

namespace batchwire::emulator {

class fault_schedule {
public:
    explicit fault_schedule(std::uint64_t seed);

    void add(fault_rule rule);
    void clear();
    // The fault for the next request on `route` ("GET /v1/batches/{id}"), counting it
    // against every rule that matches.
    std::optional<fault_rule> pick(std::string_view route);
    std::size_t applied() const;

private:
    struct entry {
        fault_rule rule;
        std::string pattern; // normalized rule.route; empty = every route
        std::size_t seen = 0;
    };
    static bool matches(const std::string& pattern, std::string_view route);

    mutable std::mutex mutex_;
    std::vector<entry> entries_;
    std::mt19937_64 engine_;
    std::size_t applied_ = 0;
};

} // namespace batchwire::emulator

#endif
