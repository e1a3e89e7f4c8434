#ifndef BATCHWIRE_EMULATOR_BEARER_AUTH_HPP
#define BATCHWIRE_EMULATOR_BEARER_AUTH_HPP

// The API key check: "Authorization: Bearer <key>". The error never echoes the key.

#include <batchwire/emulator/api_error.hpp>

#include <optional>
#include <string_view>

namespace batchwire::emulator {

// nullopt when authorized. `expected_key` empty: any non-empty bearer token is accepted.
std::optional<api_error> check_bearer(std::string_view authorization_header, bool header_present,
                                      std::string_view expected_key);

} // namespace batchwire::emulator

#endif
