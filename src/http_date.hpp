#ifndef BATCHWIRE_SRC_HTTP_DATE_HPP
#define BATCHWIRE_SRC_HTTP_DATE_HPP

// HTTP-dates (RFC 9110 §5.6.7), as in Retry-After and Date.

#include <chrono>
#include <optional>
#include <string_view>

namespace batchwire::detail {

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC 850 and asctime
// forms that recipients must still accept; nullopt for anything else.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) noexcept;

} // namespace batchwire::detail

#endif
