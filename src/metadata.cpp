// Metadata limits (the API reference's Metadata).

#include <batchwire/error.hpp>
#include <batchwire/metadata.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace batchwire {

namespace {

// The limits are in characters, so count code points, not UTF-8 bytes: every byte that
// does not continue a multi-byte sequence starts a character.
std::size_t count_characters(std::string_view s) noexcept
{
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
    }));
}

} // namespace

boost::system::error_code validate_metadata(const metadata_map& m, std::string* why)
{
    const auto fail = [why](std::string reason) -> boost::system::error_code {
        if (why)
            *why = std::move(reason);
        return error::invalid_argument;
    };
    if (m.size() > max_metadata_pairs)
        return fail("metadata has " + std::to_string(m.size()) + " pairs; at most " +
                    std::to_string(max_metadata_pairs) + " are allowed");
    for (const auto& [key, value] : m) {
        if (const std::size_t n = count_characters(key); n > max_metadata_key_size)
            return fail("a metadata key has " + std::to_string(n) + " characters; at most " +
                        std::to_string(max_metadata_key_size) + " are allowed");
        if (const std::size_t n = count_characters(value); n > max_metadata_value_size)
            return fail("the value of metadata key \"" + key + "\" has " + std::to_string(n) +
                        " characters; at most " + std::to_string(max_metadata_value_size) + " are allowed");
    }
    return {};
}

} // namespace batchwire
