// The integration test binary: real sockets on loopback, against the emulator.
#define BOOST_TEST_MODULE batchwire_integration
#include <boost/test/unit_test.hpp>
