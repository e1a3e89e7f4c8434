#ifndef BATCHWIRE_TEST_UNIT_JSON_REJECTION_HPP
#define BATCHWIRE_TEST_UNIT_JSON_REJECTION_HPP

// What parse_as<T> reports for text it must refuse: the error code and the diagnostics
// message (the field path and the problem, or the spot in the text).

#include <batchwire/json_parse.hpp>

#include "error_printing.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

namespace batchwire::test {

struct rejection {
    boost::system::error_code code;
    std::string message;
};

template <class T>
rejection reject(std::string_view text, const json_parse_options& opts = {})
{
    try {
        (void)parse_as<T>(text, opts);
    } catch (const exception& e) {
        return {e.code(), e.get_diagnostics().message};
    }
    BOOST_ERROR("accepted text that should have been rejected: " << text);
    return {};
}

} // namespace batchwire::test

#endif
