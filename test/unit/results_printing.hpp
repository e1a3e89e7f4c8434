#ifndef BATCHWIRE_TEST_RESULTS_PRINTING_HPP
#define BATCHWIRE_TEST_RESULTS_PRINTING_HPP

// Lets BOOST_TEST print outcomes and counts when an assertion on them fails.

#include "../test_printing.hpp"

#include <batchwire/reconcile.hpp>
#include <batchwire/results.hpp>

#include <optional>
#include <ostream>

namespace batchwire {

inline std::ostream& boost_test_print_type(std::ostream& os, outcome o) { return os << to_string(o); }

inline std::ostream& boost_test_print_type(std::ostream& os, const std::optional<outcome>& o)
{
    return o ? os << to_string(*o) : os << "(none)";
}

inline std::ostream& boost_test_print_type(std::ostream& os, const results_counts& c)
{
    return os << "{succeeded " << c.succeeded << ", failed " << c.failed << ", not_run " << c.not_run << ", missing "
              << c.missing << '}';
}

} // namespace batchwire

#endif
