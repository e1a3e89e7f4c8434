#ifndef BATCHWIRE_SRC_LOG_LINE_HPP
#define BATCHWIRE_SRC_LOG_LINE_HPP

// The text of one log event, as stderr_logger writes it (without the newline):
//   batchwire info retry_scheduled POST /v1/batches/x/cancel status=429 attempt=1 delay_ms=500 reason=...
// Fields appear only when set; `reason` comes last because it is free text. Control
// characters in any text field are escaped (\x0a), so an event is always exactly one line.

#include <batchwire/logger.hpp>

#include <string>
#include <string_view>

namespace batchwire::detail {

std::string_view to_string(log_level level) noexcept;

std::string format_log_line(const log_event& e);

} // namespace batchwire::detail

#endif
