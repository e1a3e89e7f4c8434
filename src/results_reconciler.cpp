// The per-custom_id bookkeeping of a batch's results: a small state machine per id.

#include <batchwire/reconcile.hpp>

namespace batchwire {

namespace {

constexpr std::uint8_t outcome_bits = 0x3;
constexpr std::uint8_t in_results = 0x4;
constexpr std::uint8_t in_input = 0x8;

void count(results_counts& c, outcome o) noexcept
{
    switch (o) {
    case outcome::succeeded: ++c.succeeded; break;
    case outcome::failed: ++c.failed; break;
    case outcome::not_run: ++c.not_run; break;
    case outcome::missing: ++c.missing; break;
    }
}

} // namespace

void results_reconciler::report(reported_ids& r, std::string_view id) const
{
    ++r.count;
    if (r.listed.size() < max_listed_)
        r.listed.emplace_back(id);
}

std::optional<outcome> results_reconciler::add_result(const batch_output_line& line)
{
    return add_result(line.custom_id, classify(line));
}

std::optional<outcome> results_reconciler::add_result(std::string_view custom_id, outcome o)
{
    auto [it, inserted] = state_.try_emplace(std::string(custom_id), std::uint8_t{0});
    if (!inserted && (it->second & in_results)) {
        report(duplicate_results_, custom_id);
        return std::nullopt;
    }
    it->second = static_cast<std::uint8_t>(in_results | static_cast<std::uint8_t>(o));
    count(result_counts_, o);
    return o;
}

std::optional<outcome> results_reconciler::add_input(std::string_view custom_id)
{
    auto it = state_.find(custom_id);
    if (it == state_.end()) // in neither file; kept so that a second input line is a duplicate
        it = state_.emplace(std::string(custom_id), static_cast<std::uint8_t>(outcome::missing)).first;
    if (it->second & in_input) {
        report(duplicate_inputs_, custom_id);
        return std::nullopt;
    }
    it->second |= in_input;
    const auto o = static_cast<outcome>(it->second & outcome_bits);
    count(input_counts_, o);
    return o;
}

void results_reconciler::finish_input()
{
    if (reconciled_)
        return;
    reconciled_ = true;
    for (const auto& [id, bits] : state_)
        if ((bits & in_results) && !(bits & in_input))
            report(unknown_, id);
}

bool should_resubmit(outcome o, bool include_failed) noexcept
{
    return o == outcome::not_run || o == outcome::missing || (include_failed && o == outcome::failed);
}

} // namespace batchwire
