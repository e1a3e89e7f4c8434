#ifndef BATCHWIRE_SRC_ENV_CONFIG_HPP
#define BATCHWIRE_SRC_ENV_CONFIG_HPP

// client_options::from_env() behind a lookup function, so that tests need not touch the
// process environment.

#include <batchwire/client_options.hpp>

#include <functional>

namespace batchwire::detail {

// `getenv` returns the variable's value, or nullptr when it is not set.
// Throws batchwire::exception: error::missing_api_key when OPENAI_API_KEY is missing or
// empty; error::invalid_argument for a malformed OPENAI_CUSTOM_HEADERS line (the message
// names the line number, never its text, which may hold a secret).
client_options client_options_from(std::function<const char*(const char*)> getenv);

} // namespace batchwire::detail

#endif
