#ifndef BATCHWIRE_FUZZ_JSON_NEAR_EQUAL_HPP
#define BATCHWIRE_FUZZ_JSON_NEAR_EQUAL_HPP

// Equality of JSON values for round-trip properties. Boost.JSON 1.81 parses decimal numbers
// to the nearest double only approximately (precise parsing came with parse_options::numbers
// in 1.83), so a double written as its shortest form may read back a few ulps away. Doubles
// are therefore compared within a relative 1e-13; everything else must be identical.

#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>

namespace batchwire::fuzz {

inline bool near_equal(double a, double b)
{
    const double scale = std::max(std::fabs(a), std::fabs(b));
    return a == b || std::fabs(a - b) <= scale * 1e-13;
}

inline bool json_near_equal(const boost::json::value& a, const boost::json::value& b)
{
    if (a.is_double() || b.is_double()) {
        return a.is_number() && b.is_number() && near_equal(a.to_number<double>(), b.to_number<double>());
    }
    if (a.is_array() && b.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), json_near_equal);
    }
    if (a.is_object() && b.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size())
            return false;
        for (const auto& [key, value] : x) {
            const auto* other = y.if_contains(key);
            if (other == nullptr || !json_near_equal(value, *other))
                return false;
        }
        return true;
    }
    return a == b;
}

} // namespace batchwire::fuzz

#endif
