#ifndef BATCHWIRE_EMULATOR_RANDOM_ID_HPP
#define BATCHWIRE_EMULATOR_RANDOM_ID_HPP

// Object ids in the API's shapes: "batch_" / "file-" / "req_" / "batch_req_" + random hex.
// Thread-safe (a generator per thread, seeded from std::random_device).

#include <cstddef>
#include <string>
#include <string_view>

namespace batchwire::emulator {

std::string random_id(std::string_view prefix, std::size_t hex_digits = 24);

} // namespace batchwire::emulator

#endif
