// Asio, Asio.SSL and Beast compiled once for this repository's own programs (tests, tools,
// examples, benchmarks), which build with *_SEPARATE_COMPILATION. The batchwire library
// itself is not built this way: it uses Asio header-only, so it imposes nothing on the
// application that links it (see README, "Use it from CMake").
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
