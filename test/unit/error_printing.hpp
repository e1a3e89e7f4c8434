#ifndef BATCHWIRE_TEST_UNIT_ERROR_PRINTING_HPP
#define BATCHWIRE_TEST_UNIT_ERROR_PRINTING_HPP

// Lets BOOST_TEST print batchwire::error values when an assertion on them fails.

#include <batchwire/error.hpp>

#include <ostream>

namespace batchwire {

inline std::ostream& boost_test_print_type(std::ostream& os, error e)
{
    return os << make_error_code(e).message() << " (" << static_cast<int>(e) << ')';
}

} // namespace batchwire

#endif
