#include "id_segment.hpp"

#include "origin.hpp"

namespace batchwire::detail {

std::string id_segment(std::string_view id, std::string_view kind, boost::system::error_code& ec, std::string& why)
{
    auto segment = encode_path_segment(id, ec);
    if (ec)
        why = "invalid " + std::string(kind) + " id: it must not be empty, '.' or '..'";
    return segment;
}

} // namespace batchwire::detail
