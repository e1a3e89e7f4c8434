#include "jitter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace batchwire::detail {

double draw_jitter()
{
    thread_local std::mt19937_64 generator = [] {
        std::random_device device;
        std::seed_seq seed{device(), device(), device(), device()};
        return std::mt19937_64{seed};
    }();
    // Doubles in [0.75, 1] are 2^-53 apart: 2^51 steps of that size span the quarter, so
    // 0.75 + k * 2^-53 with k in [1, 2^51] is exact, never 0.75 and possibly 1.
    const std::uint64_t k = (generator() >> 13) + 1;
    return 0.75 + std::ldexp(static_cast<double>(k), -53);
}

double clamp_jitter(double jitter) noexcept
{
    if (!(jitter >= 0.75)) // NaN too
        return 0.75;
    return std::min(jitter, 1.0);
}

} // namespace batchwire::detail
