#ifndef BATCHWIRE_CLI_DURATION_TEXT_HPP
#define BATCHWIRE_CLI_DURATION_TEXT_HPP

// Durations on the command line: "500ms", "30s", "10m", "1h", or sums such as "1m30s".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace batchwire::cli {

// nullopt when `text` is not a duration; `why` then says what is wrong.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text, std::string* why = nullptr);

// "1h2m3s", "250ms": the inverse, for help text and messages.
std::string format_duration(std::chrono::milliseconds d);

} // namespace batchwire::cli

#endif
