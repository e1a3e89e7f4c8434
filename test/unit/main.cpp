#define BOOST_TEST_MODULE batchwire_unit
#include <boost/test/unit_test.hpp>
