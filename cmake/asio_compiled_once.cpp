// Asio and Asio.SSL compiled once for this repository's own programs (tests, tools, examples,
// benchmarks), which build with BOOST_ASIO_SEPARATE_COMPILATION and link the library variant
// batchwire_asio_separate: they are built as an application that compiles Asio itself.
// Beast stays header-only. See README, "Use it from CMake".
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
