// The application compiles Asio once itself (with BOOST_ASIO_SEPARATE_COMPILATION on its
// target), Asio.SSL included, as Asio documents for programs that use SSL; it links
// batchwire::batchwire_asio_separate, which then uses this code.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
