#ifndef BATCHWIRE_SRC_HEADER_FIELD_HPP
#define BATCHWIRE_SRC_HEADER_FIELD_HPP

// What may go into a request header that the caller configures (default headers, the
// organization, the project, the API key): names are RFC 9110 tokens, values hold no
// control characters (CR and LF would let a value smuggle in a header of its own).

#include <string_view>

namespace batchwire::detail {

bool is_header_name(std::string_view s) noexcept;
bool is_header_value(std::string_view s) noexcept;
// Headers the client writes itself (framing, routing, credentials): a default header may
// not replace them.
bool is_reserved_header(std::string_view name) noexcept;
// ASCII case-insensitive equality of header names (Beast 1.81's iequals over-reads, see the .cpp).
bool ascii_iequals(std::string_view a, std::string_view b) noexcept;

} // namespace batchwire::detail

#endif
