#include "watch_deadline.hpp"

namespace batchwire::detail {

deadline_rule deadline_rule_of(const watch_options& o) noexcept
{
    return deadline_rule{o.cancelling_window, o.grace, o.server_time_scale};
}

std::chrono::steady_clock::time_point derive_deadline(const batch& b, long long server_now, const deadline_rule& r,
                                                      std::chrono::steady_clock::time_point local_now) noexcept
{
    long long end;
    if (b.status == batch_status::cancelling)
        end = b.cancelling_at.value_or(server_now) + r.cancelling_window.count();
    else if (b.expires_at)
        end = *b.expires_at;
    else
        end = server_now + 24 * 3600;
    const double scale = r.server_time_scale > 0 ? r.server_time_scale : 1.0;
    const auto left = std::chrono::duration<double>(static_cast<double>(end - server_now) / scale);
    return local_now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(left) + r.grace;
}

} // namespace batchwire::detail
