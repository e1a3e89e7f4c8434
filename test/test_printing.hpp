#ifndef BATCHWIRE_TEST_TEST_PRINTING_HPP
#define BATCHWIRE_TEST_TEST_PRINTING_HPP

// Lets BOOST_TEST print batchwire's enums when an assertion on them fails.

#include <batchwire/batch.hpp>
#include <batchwire/error.hpp>

#include <optional>
#include <ostream>

namespace batchwire {

inline std::ostream& boost_test_print_type(std::ostream& os, error e)
{
    return os << make_error_code(e).message() << " (" << static_cast<int>(e) << ')';
}

inline std::ostream& boost_test_print_type(std::ostream& os, batch_status s) { return os << to_string(s); }

inline std::ostream& boost_test_print_type(std::ostream& os, const std::optional<batch_status>& s)
{
    return s ? os << to_string(*s) : os << "(none)";
}

} // namespace batchwire

#endif
