#ifndef BATCHWIRE_FUZZ_CHECK_HPP
#define BATCHWIRE_FUZZ_CHECK_HPP

// A property that failed is a finding: print what and abort, so libFuzzer saves the input.

#include <cstdio>
#include <cstdlib>

namespace batchwire::fuzz {

inline void check(bool ok, const char* property)
{
    if (!ok) {
        std::fprintf(stderr, "property violated: %s\n", property);
        std::abort();
    }
}

} // namespace batchwire::fuzz

#endif
