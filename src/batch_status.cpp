#include <batchwire/batch.hpp>

#include <array>
#include <cstddef>

namespace batchwire {

namespace {

// Indexed by batch_status; the order of the enum.
constexpr std::array<std::string_view, 9> status_names{
    "validating", "failed", "in_progress", "finalizing", "completed",
    "expired",    "cancelling", "cancelled", "unknown",
};
static_assert(status_names.size() == static_cast<std::size_t>(batch_status::unknown) + 1);

} // namespace

std::string_view to_string(batch_status s) noexcept
{
    const auto index = static_cast<std::size_t>(s);
    return index < status_names.size() ? status_names[index] : status_names.back();
}

batch_status parse_batch_status(std::string_view name) noexcept
{
    // "unknown" is not a wire name, so it falls through to batch_status::unknown as well.
    for (std::size_t i = 0; i + 1 < status_names.size(); ++i)
        if (status_names[i] == name)
            return static_cast<batch_status>(i);
    return batch_status::unknown;
}

} // namespace batchwire
