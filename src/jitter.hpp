#ifndef BATCHWIRE_SRC_JITTER_HPP
#define BATCHWIRE_SRC_JITTER_HPP

// The one source of randomness of the library: a factor that spreads delays (retry backoff,
// watch poll backoff) so that many clients do not act in lockstep. Decisions take the drawn
// factor as a parameter, so that they stay pure and testable.

namespace batchwire::detail {

// A factor in (0.75, 1] from a thread-local generator.
double draw_jitter();

// `jitter` brought into (0.75, 1]: 0.75 for anything below or NaN (a caller's bug), 1 above.
double clamp_jitter(double jitter) noexcept;

} // namespace batchwire::detail

#endif
