#include <batchwire/emulator/fault_schedule.hpp>

#include <utility>

namespace batchwire::emulator {

fault_schedule::fault_schedule(std::uint64_t seed)
    : engine_(seed)
{
}

void fault_schedule::add(fault_rule rule)
{
    std::string pattern = normalize_route_pattern(rule.route);
    if (pattern == "*")
        pattern.clear();
    std::lock_guard lock(mutex_);
    entries_.push_back(entry{std::move(rule), std::move(pattern), 0});
}

void fault_schedule::clear()
{
    std::lock_guard lock(mutex_);
    entries_.clear();
}

std::size_t fault_schedule::applied() const
{
    std::lock_guard lock(mutex_);
    return applied_;
}

bool fault_schedule::matches(const std::string& pattern, std::string_view route)
{
    if (pattern.empty() || pattern == route)
        return true;
    // A pattern without a method matches the path under any method.
    if (pattern.find(' ') == std::string::npos) {
        const auto space = route.find(' ');
        return space != std::string_view::npos && route.substr(space + 1) == pattern;
    }
    return false;
}

std::optional<fault_rule> fault_schedule::pick(std::string_view route)
{
    std::lock_guard lock(mutex_);
    std::optional<fault_rule> chosen;
    for (entry& e : entries_) {
        if (!matches(e.pattern, route))
            continue;
        const std::size_t index = e.seen++;
        if (index < e.rule.skip)
            continue;
        if (e.rule.count != 0 && index - e.rule.skip >= e.rule.count)
            continue;
        if (e.rule.probability < 1.0) {
            std::uniform_real_distribution<double> draw(0.0, 1.0);
            if (!(draw(engine_) < e.rule.probability))
                continue;
        }
        chosen = e.rule;
        break; // rules after this one never see the request it took
    }
    if (chosen)
        ++applied_;
    return chosen;
}

} // namespace batchwire::emulator
