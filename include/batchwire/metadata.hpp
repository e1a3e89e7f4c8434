#ifndef BATCHWIRE_METADATA_HPP
#define BATCHWIRE_METADATA_HPP

// Metadata: up to 16 string pairs attached to an object (the API reference's Metadata).

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <string>

namespace batchwire {

using metadata_map = std::map<std::string, std::string, std::less<>>;

// The documented limits, checked client side before a request is sent.
inline constexpr std::size_t max_metadata_pairs = 16;
inline constexpr std::size_t max_metadata_key_size = 64;
inline constexpr std::size_t max_metadata_value_size = 512;

// Empty error_code when `m` is within the limits; error::invalid_argument otherwise,
// with a sentence saying which limit in `why` (when not null).
boost::system::error_code validate_metadata(const metadata_map& m, std::string* why = nullptr);

} // namespace batchwire

#endif
