#ifndef BATCHWIRE_SRC_ID_SEGMENT_HPP
#define BATCHWIRE_SRC_ID_SEGMENT_HPP

// The one rule for an id that goes into a request path (a batch id, a file id), with the
// one message for a refused id.

#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace batchwire::detail {

// The id percent-encoded as one path segment; for an empty id, "." or "..", sets ec to
// invalid_argument and `why` to "invalid <kind> id: ..." (the id itself is not repeated).
std::string id_segment(std::string_view id, std::string_view kind, boost::system::error_code& ec, std::string& why);

} // namespace batchwire::detail

#endif
