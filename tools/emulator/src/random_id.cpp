#include <batchwire/emulator/random_id.hpp>

#include <cstdint>
#include <random>

namespace batchwire::emulator {

std::string random_id(std::string_view prefix, std::size_t hex_digits)
{
    thread_local std::mt19937_64 engine{[] {
        std::random_device rd;
        return (std::uint64_t{rd()} << 32) ^ rd();
    }()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string id;
    id.reserve(prefix.size() + hex_digits);
    id.append(prefix);
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < hex_digits; ++i) {
        if (i % 16 == 0)
            bits = engine();
        id.push_back(digits[bits & 0xf]);
        bits >>= 4;
    }
    return id;
}

} // namespace batchwire::emulator
